package io.planstream.index.service;

/** A query named an image the active index does not hold. */
public final class UnknownImageException extends RuntimeException {
    private final boolean accepted;

    public UnknownImageException(String message, boolean accepted) {
        super(message);
        this.accepted = accepted;
    }

    /** True where the image is known but its embedding is not searchable yet. */
    public boolean accepted() {
        return accepted;
    }
}
