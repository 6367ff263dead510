package io.planstream.simclr.train;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a pretraining run did.
 *
 * @param steps optimiser steps done over the whole run, resumed parts included
 * @param firstStep the step this invocation started from (0 unless resumed)
 * @param epochs epochs done, fractional when the run stopped inside one
 * @param finalLoss mean loss over the last epoch's worth of steps (fewer if the run was shorter)
 * @param history every step's record, resumed parts included where history.csv had them
 * @param epochLosses mean loss per epoch, the last one possibly partial
 * @param imagesPerSecond images (two views each) per second over this invocation's steps
 * @param wallTime this invocation's time, data loading and saving included
 * @param cpuTime the CPU time (user and system, all threads) this invocation's steps used, from its first step to
 *     its last; null where the JVM cannot tell
 * @param artifact the final model artifact directory
 * @param lossPlot the PNG of the loss curve
 * @param historyCsv the per-step CSV
 * @param stopReason why the run ended
 */
public record PretrainResult(
        int steps,
        int firstStep,
        double epochs,
        double finalLoss,
        List<StepRecord> history,
        List<Double> epochLosses,
        double imagesPerSecond,
        Duration wallTime,
        Duration cpuTime,
        Path artifact,
        Path lossPlot,
        Path historyCsv,
        StopReason stopReason) {

    /** Why a run ended. Every reason but {@link #COMPLETED} leaves a checkpoint to resume from. */
    public enum StopReason {
        COMPLETED,
        MAX_STEPS,
        TIME_BUDGET,
        CPU_BUDGET,
        STOP_REQUESTED
    }

    public PretrainResult {
        history = List.copyOf(history);
        epochLosses = List.copyOf(epochLosses);
    }
}
