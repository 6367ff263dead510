package io.planstream.simclr.train;

import java.nio.file.Path;

/**
 * What a pretraining run reports while it runs. Called on the training thread, between steps: keep
 * it quick. Every method does nothing by default.
 */
public interface ProgressListener {

    /** Reports nothing. */
    ProgressListener NONE = new ProgressListener() {};

    /** Called once, before the first step, with what the run is about to do. */
    default void onStart(RunPlan plan) {}

    /**
     * Called after every step.
     *
     * @param step the step's record
     * @param liveArrays arrays held by the model's manager after the step (parameters, gradients,
     *     optimiser state); from the second step on it stays constant unless something leaks
     */
    default void onStep(StepRecord step, int liveArrays) {}

    /** Called after a checkpoint of {@code step} was written to {@code directory}. */
    default void onCheckpoint(int step, Path directory) {}

    /**
     * Asked after every step. A run asked to stop saves a checkpoint and the model, then returns
     * with {@link PretrainResult.StopReason#STOP_REQUESTED}: the way to end a run early (on Ctrl-C,
     * say) without losing the steps since the last checkpoint. Interrupting the training thread
     * instead could break a file write half way.
     */
    default boolean stopRequested() {
        return false;
    }

    /**
     * What a run is about to do.
     *
     * @param firstStep steps already done (0, or the step of the checkpoint resumed from)
     * @param totalSteps steps of the whole run, epochs x steps per epoch
     * @param stepsPerEpoch full batches per epoch (the last partial batch is dropped)
     * @param images images used for training
     * @param data the data set's description
     * @param device where the tensors live
     * @param peakLearningRate the rate after warm-up
     * @param resumedFrom the checkpoint resumed from, or null for a fresh run
     */
    record RunPlan(
            int firstStep,
            int totalSteps,
            int stepsPerEpoch,
            int images,
            String data,
            String device,
            double peakLearningRate,
            Path resumedFrom) {}
}
