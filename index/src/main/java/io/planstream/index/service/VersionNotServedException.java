package io.planstream.index.service;

/** A query asked for a model version this index does not answer with (an HTTP 409). */
public final class VersionNotServedException extends RuntimeException {

    public VersionNotServedException(String message) {
        super(message);
    }
}
