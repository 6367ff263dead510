package io.planstream.simclr.train;

import java.util.Locale;

/**
 * How often a run saves a checkpoint. A run also saves one when it ends, whatever the interval.
 *
 * @param every how many units between checkpoints, >= 1
 * @param unit steps or epochs
 */
public record CheckpointInterval(int every, Unit unit) {

    /** What {@link #every} counts. */
    public enum Unit {
        STEPS,
        EPOCHS
    }

    public CheckpointInterval {
        if (unit == null) {
            throw new IllegalArgumentException("checkpoint unit must be set");
        }
        if (every < 1) {
            throw new IllegalArgumentException(
                    "checkpoint interval must be >= 1 " + unit.name().toLowerCase(Locale.ROOT) + ", got: " + every);
        }
    }

    public static CheckpointInterval steps(int every) {
        return new CheckpointInterval(every, Unit.STEPS);
    }

    public static CheckpointInterval epochs(int every) {
        return new CheckpointInterval(every, Unit.EPOCHS);
    }

    /**
     * @param step steps done so far, from 1
     * @param stepsPerEpoch steps in one epoch
     * @return whether a checkpoint is due after {@code step}
     */
    public boolean isDue(long step, int stepsPerEpoch) {
        long period = unit == Unit.STEPS ? every : (long) every * stepsPerEpoch;
        return step > 0 && step % period == 0;
    }
}
