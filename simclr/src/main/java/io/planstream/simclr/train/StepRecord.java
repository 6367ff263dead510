package io.planstream.simclr.train;

/**
 * One optimiser step, as {@code history.csv} keeps it.
 *
 * @param step steps done, counted from 1 over the whole run (resumed parts included)
 * @param epoch the epoch the step belongs to, from 1
 * @param loss NT-Xent loss of the step's batch
 * @param learningRate the peak rate the schedule gave the step
 * @param imagesPerSecond images (each giving two views) per second of wall time for the step
 * @param liveArrays NDArrays alive in the model's manager after the step (parameters, gradients and
 *                   optimiser state; a count that grows says an array outlives its step), -1 if unknown
 * @param residentMb the process's resident set after the step, in MB, -1 where unknown
 */
public record StepRecord(int step, int epoch, double loss, double learningRate, double imagesPerSecond, int liveArrays,
                         double residentMb) {

    /** A step without memory figures (a history written before they were recorded). */
    public StepRecord(int step, int epoch, double loss, double learningRate, double imagesPerSecond) {
        this(step, epoch, loss, learningRate, imagesPerSecond, -1, -1);
    }
}
