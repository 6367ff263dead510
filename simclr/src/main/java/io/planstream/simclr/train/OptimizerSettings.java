package io.planstream.simclr.train;

import io.planstream.simclr.optim.OptimizerSpec;

/**
 * The optimiser of a pretraining run before the run's length is known; {@link #toSpec(int)} turns
 * it into an {@link OptimizerSpec} once the data set fixes the number of steps.
 *
 * @param kind LARS (SimCLR's choice) or Adam
 * @param learningRate the peak rate, used as given; null for the default of the kind: LARS 0.3 x
 *     batch / 256 (SimCLR's linear scaling), Adam 0.001
 * @param weightDecay L2 decay (LARS skips biases and batch norm); SimCLR: 1e-6
 * @param warmupFraction share of the run spent in linear warm-up before the cosine decay; SimCLR
 *     warms up for 10 of 100 epochs
 * @param decay after warm-up: cosine decay to 0 (SimCLR) or the peak rate to the end
 */
public record OptimizerSettings(
        OptimizerSpec.Kind kind,
        Double learningRate,
        double weightDecay,
        double warmupFraction,
        OptimizerSpec.Decay decay) {

    public static final double DEFAULT_WARMUP_FRACTION = 0.1;

    public OptimizerSettings {
        if (kind == null) {
            throw new IllegalArgumentException("optimizer kind must be set");
        }
        if (decay == null) {
            throw new IllegalArgumentException("the schedule's decay must be set");
        }
        if (learningRate != null && !(learningRate > 0 && learningRate <= 100)) {
            throw new IllegalArgumentException(
                    "learning rate must be in (0, 100], got: " + learningRate);
        }
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new IllegalArgumentException("weight decay must be in [0, 1), got: " + weightDecay);
        }
        if (!(warmupFraction >= 0 && warmupFraction <= 1)) {
            throw new IllegalArgumentException(
                    "warm-up fraction must be in [0, 1], got: " + warmupFraction);
        }
    }

    /** @return LARS at 0.3 x batch / 256, weight decay 1e-6, 10% warm-up */
    public static OptimizerSettings lars() {
        return new OptimizerSettings(
                OptimizerSpec.Kind.LARS, null, OptimizerSpec.WEIGHT_DECAY, DEFAULT_WARMUP_FRACTION,
                OptimizerSpec.Decay.COSINE);
    }

    /** @return Adam at 0.001, weight decay 1e-6, 10% warm-up */
    public static OptimizerSettings adam() {
        return new OptimizerSettings(
                OptimizerSpec.Kind.ADAM, null, OptimizerSpec.WEIGHT_DECAY, DEFAULT_WARMUP_FRACTION,
                OptimizerSpec.Decay.COSINE);
    }

    /** @return the default settings of {@code kind} */
    public static OptimizerSettings of(OptimizerSpec.Kind kind) {
        return kind == OptimizerSpec.Kind.ADAM ? adam() : lars();
    }

    /** @return these settings with the peak learning rate fixed (null: the kind's default) */
    public OptimizerSettings withLearningRate(Double rate) {
        return new OptimizerSettings(kind, rate, weightDecay, warmupFraction, decay);
    }

    /**
     * @param schedule {@code cosine}: warm-up then cosine decay to 0 (the default); {@code
     *     constant}: the peak rate at every step, without warm-up, as a plain Adam recipe
     * @return these settings with that schedule
     */
    public OptimizerSettings withSchedule(OptimizerSpec.Decay schedule) {
        return schedule == OptimizerSpec.Decay.CONSTANT
                ? new OptimizerSettings(kind, learningRate, weightDecay, 0, schedule)
                : new OptimizerSettings(kind, learningRate, weightDecay, warmupFraction, schedule);
    }

    /** @return the optimiser and, where it is not the cosine decay, the schedule: {@code adam, constant rate} */
    public String describe() {
        return OptimizerSpec.describe(kind, decay);
    }

    /**
     * @param totalSteps optimiser steps of the whole run
     * @return the spec: warm-up over {@code warmupFraction} of the steps, then the decay
     */
    public OptimizerSpec toSpec(int totalSteps) {
        int warmup = (int) Math.round(warmupFraction * totalSteps);
        if (learningRate != null) {
            return new OptimizerSpec(kind, learningRate, false, weightDecay, warmup, totalSteps, decay);
        }
        return kind == OptimizerSpec.Kind.ADAM
                ? new OptimizerSpec(kind, OptimizerSpec.ADAM_LR, false, weightDecay, warmup, totalSteps, decay)
                : new OptimizerSpec(kind, OptimizerSpec.LARS_BASE_LR, true, weightDecay, warmup, totalSteps, decay);
    }
}
