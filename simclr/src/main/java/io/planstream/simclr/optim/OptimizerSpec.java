package io.planstream.simclr.optim;

import ai.djl.nn.Block;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Locale;

/**
 * The optimiser of a pretraining run, as configuration.
 *
 * @param kind LARS (SimCLR's choice for large batches) or Adam (simpler at small batches)
 * @param learningRate the peak rate; with {@code scaleWithBatch} the rate at batch 256
 * @param scaleWithBatch multiply the rate by batch / 256 (SimCLR's linear scaling)
 * @param weightDecay L2 decay (LARS skips biases and batch norm)
 * @param warmupSteps steps of linear warm-up
 * @param totalSteps steps of the whole run; the cosine decay ends there
 * @param decay what the rate does after warm-up: cosine decay to 0 (SimCLR's) or stay at the peak
 */
public record OptimizerSpec(
        Kind kind,
        double learningRate,
        boolean scaleWithBatch,
        double weightDecay,
        int warmupSteps,
        int totalSteps,
        Decay decay) {

    /** What the learning rate does after warm-up. */
    public enum Decay {
        /** Cosine decay to 0 at the last step (SimCLR, section B.1). */
        COSINE,
        /** The peak rate to the last step, as plain Adam recipes keep it. */
        CONSTANT;

        public static Decay of(String name) {
            return byId(values(), name, "--schedule must be cosine or constant, got: ");
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The constant of {@code values} named {@code name}, whatever its case and surrounding blanks. */
    private static <E extends Enum<E>> E byId(E[] values, String name, String refusal) {
        if (name != null) {
            for (E e : values) {
                if (e.name().equalsIgnoreCase(name.trim())) {
                    return e;
                }
            }
        }
        throw new IllegalArgumentException(refusal + name);
    }

    /** An optimiser whose rate decays by cosine to 0 after warm-up. */
    public OptimizerSpec(
            Kind kind, double learningRate, boolean scaleWithBatch, double weightDecay, int warmupSteps, int totalSteps) {
        this(kind, learningRate, scaleWithBatch, weightDecay, warmupSteps, totalSteps, Decay.COSINE);
    }

    /** The optimisers on offer. */
    public enum Kind {
        LARS,
        ADAM;

        public static Kind of(String name) {
            return byId(values(), name, "optimizer must be lars or adam, got: ");
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** SimCLR: 0.3 x batch / 256. */
    public static final double LARS_BASE_LR = 0.3;
    public static final double ADAM_LR = 1e-3;
    public static final double WEIGHT_DECAY = 1e-6;

    public OptimizerSpec {
        if (kind == null) {
            throw new IllegalArgumentException("optimizer kind must be set");
        }
        if (decay == null) {
            throw new IllegalArgumentException("the schedule's decay must be set");
        }
        if (!(learningRate > 0 && learningRate <= 100)) {
            throw new IllegalArgumentException(
                    "learningRate must be in (0, 100], got: " + learningRate);
        }
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new IllegalArgumentException("weightDecay must be in [0, 1), got: " + weightDecay);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("totalSteps must be >= 1, got: " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException(
                    "warmupSteps must be in [0, totalSteps=" + totalSteps + "], got: " + warmupSteps);
        }
    }

    /** @return LARS with SimCLR's defaults: 0.3 x batch / 256, weight decay 1e-6 */
    public static OptimizerSpec lars(int warmupSteps, int totalSteps) {
        return new OptimizerSpec(Kind.LARS, LARS_BASE_LR, true, WEIGHT_DECAY, warmupSteps, totalSteps);
    }

    /** @return Adam at 1e-3, unscaled, weight decay 1e-6 */
    public static OptimizerSpec adam(int warmupSteps, int totalSteps) {
        return new OptimizerSpec(Kind.ADAM, ADAM_LR, false, WEIGHT_DECAY, warmupSteps, totalSteps);
    }

    /** @return the peak rate for this batch size */
    public double peakLearningRate(int batch) {
        return scaleWithBatch ? WarmupCosineSchedule.linearScaled(learningRate, batch) : learningRate;
    }

    /** @return warm-up, then cosine decay to 0 over the run or the peak rate to its end */
    public WarmupCosineSchedule schedule(int batch) {
        double peak = peakLearningRate(batch);
        return WarmupCosineSchedule.builder()
                .setBaseValue(peak)
                .setTotalSteps(totalSteps)
                .optWarmupSteps(warmupSteps)
                .optFinalValue(decay == Decay.CONSTANT ? peak : 0)
                .build();
    }

    /**
     * @return the optimiser and, where it is not SimCLR's cosine decay, the schedule: {@code adam},
     *     {@code lars}, {@code adam, constant rate}
     */
    public String describe() {
        return describe(kind, decay);
    }

    /** @return {@link #describe()} of an optimiser of this kind and decay */
    public static String describe(Kind kind, Decay decay) {
        return decay == Decay.COSINE ? kind.id() : kind.id() + ", " + decay.id() + " rate";
    }

    /**
     * @param block the network to train (LARS reads its parameter names)
     * @param batch images per step
     * @return a new optimiser
     */
    public Optimizer create(Block block, int batch) {
        return create(block, batch, 0);
    }

    /**
     * An optimiser that continues the schedule of an interrupted run.
     *
     * <p>The offset is applied to the learning rate only, not through DJL's {@code
     * optBeginNumUpdate}: that would also advance Adam's bias correction, which must restart at 1
     * because a resumed optimiser starts with empty moment estimates.
     *
     * @param block the network to train (LARS reads its parameter names)
     * @param batch images per step
     * @param firstStep steps already taken: the first update uses the schedule's rate at this step
     * @return a new optimiser
     */
    public Optimizer create(Block block, int batch, int firstStep) {
        if (firstStep < 0 || firstStep > totalSteps) {
            throw new IllegalArgumentException(
                    "firstStep must be in [0, totalSteps=" + totalSteps + "], got: " + firstStep);
        }
        WarmupCosineSchedule schedule = schedule(batch);
        Tracker tracker =
                firstStep == 0 ? schedule : numUpdate -> schedule.getNewValue(numUpdate + firstStep);
        switch (kind) {
            case LARS:
                return Lars.builder()
                        .setLearningRateTracker(tracker)
                        .setParameterNames(block)
                        .optWeightDecays((float) weightDecay)
                        .build();
            case ADAM:
                return Optimizer.adam()
                        .optLearningRateTracker(tracker)
                        .optWeightDecays((float) weightDecay)
                        .build();
            default:
                throw new IllegalStateException("unknown optimizer " + kind);
        }
    }
}
