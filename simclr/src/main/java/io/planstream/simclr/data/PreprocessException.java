package io.planstream.simclr.data;

/** A record whose picture cannot be turned into an encoder input; it goes to the dead-letter topic. */
public final class PreprocessException extends Exception {

    private final String stage;

    public PreprocessException(String stage, String message, Throwable cause) {
        super(message, cause);
        this.stage = stage;
    }

    /** {@code decode} or {@code preprocess}. */
    public String stage() {
        return stage;
    }
}
