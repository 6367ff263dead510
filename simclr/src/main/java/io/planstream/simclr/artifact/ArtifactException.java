package io.planstream.simclr.artifact;

import java.io.IOException;

/** A model artifact that cannot be used: missing, malformed, tampered with, or inconsistent. */
public final class ArtifactException extends IOException {

    private static final long serialVersionUID = 1L;

    public ArtifactException(String message) {
        super(message);
    }

    public ArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
