package io.planstream.simclr.optim;

import ai.djl.training.tracker.Tracker;

/**
 * SimCLR's learning-rate schedule (Chen et al., ICML 2020, section B.1): linear warm-up to the base
 * rate, then cosine decay (Loshchilov and Hutter, "SGDR", 2017) to the final rate at the last step,
 * without restarts.
 *
 * <pre>
 *   lr(t) = base x (t + 1) / warmup                                           t &lt; warmup
 *   lr(t) = final + (base - final) x (1 + cos(pi (t - warmup) / (total - warmup))) / 2   otherwise
 * </pre>
 *
 * Steps t count from 0. Warm-up reaches the base rate on its last step rather than starting at 0 as
 * SimCLR's code does, so no step is wasted at rate 0. As a DJL {@link Tracker}, it maps DJL's
 * update count (1 for the first update) to t = count - 1; beyond {@code total} it stays at final.
 */
public final class WarmupCosineSchedule implements Tracker {

    private final double base;
    private final double finalValue;
    private final int warmup;
    private final int total;

    private WarmupCosineSchedule(Builder b) {
        this.base = b.base;
        this.finalValue = b.finalValue;
        this.warmup = b.warmup;
        this.total = b.total;
    }

    /** @return a builder; the base value and the total steps are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * SimCLR's linear scaling: {@code lr = base x batch / 256} (0.3 for LARS).
     *
     * @param base the rate at batch 256
     * @param batch images per step (each gives two views)
     * @return the scaled rate
     */
    public static double linearScaled(double base, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got: " + batch);
        }
        return base * batch / 256.0;
    }

    /** @return the learning rate of step t (from 0) */
    public double valueAt(long t) {
        if (t < 0) {
            throw new IllegalArgumentException("step must be >= 0, got: " + t);
        }
        if (t < warmup) {
            return base * (t + 1) / warmup;
        }
        if (t >= total) {
            return finalValue;
        }
        double progress = (double) (t - warmup) / (total - warmup);
        return finalValue + (base - finalValue) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    @Override
    public float getNewValue(int numUpdate) {
        return (float) valueAt(Math.max(0, numUpdate - 1));
    }

    public double base() {
        return base;
    }

    public int warmupSteps() {
        return warmup;
    }

    public int totalSteps() {
        return total;
    }

    /** Builds a {@link WarmupCosineSchedule}. */
    public static final class Builder {
        private double base = Double.NaN;
        private double finalValue;
        private int warmup;
        private int total = -1;

        private Builder() {}

        /** @param base the peak rate, after warm-up */
        public Builder setBaseValue(double base) {
            this.base = base;
            return this;
        }

        /** @param total steps of the whole run (warm-up included) */
        public Builder setTotalSteps(int total) {
            this.total = total;
            return this;
        }

        /** @param warmup steps of linear warm-up; default 0 (SimCLR: 10 epochs) */
        public Builder optWarmupSteps(int warmup) {
            this.warmup = warmup;
            return this;
        }

        /** @param finalValue the rate at the last step; default 0 */
        public Builder optFinalValue(double finalValue) {
            this.finalValue = finalValue;
            return this;
        }

        public WarmupCosineSchedule build() {
            if (!(base > 0) || !Double.isFinite(base)) {
                throw new IllegalArgumentException("base value must be > 0, got: " + base);
            }
            if (total < 1) {
                throw new IllegalArgumentException("total steps must be >= 1, got: " + total);
            }
            if (warmup < 0 || warmup > total) {
                throw new IllegalArgumentException(
                        "warm-up steps must be in [0, total=" + total + "], got: " + warmup);
            }
            if (!(finalValue >= 0 && finalValue <= base)) {
                throw new IllegalArgumentException(
                        "final value must be in [0, base=" + base + "], got: " + finalValue);
            }
            return new WarmupCosineSchedule(this);
        }
    }
}
