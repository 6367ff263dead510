package io.planstream.simclr.train;

/**
 * One optimiser step, as {@code history.csv} keeps it.
 *
 * @param step steps done, counted from 1 over the whole run (resumed parts included)
 * @param epoch the epoch the step belongs to, from 1
 * @param loss NT-Xent loss of the step's batch
 * @param learningRate the peak rate the schedule gave the step
 * @param imagesPerSecond images (each giving two views) per second of wall time for the step
 */
public record StepRecord(int step, int epoch, double loss, double learningRate, double imagesPerSecond) {}
