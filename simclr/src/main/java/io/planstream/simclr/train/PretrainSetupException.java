package io.planstream.simclr.train;

/**
 * A pretraining run that cannot start as configured: too few images for the batch, channels the
 * encoder cannot take, an output folder holding another run, or a checkpoint that belongs to a
 * different run. Thrown before the first step; the message names the setting to change.
 */
public final class PretrainSetupException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public PretrainSetupException(String message) {
        super(message);
    }
}
