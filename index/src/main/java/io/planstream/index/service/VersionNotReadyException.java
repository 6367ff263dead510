package io.planstream.index.service;

/**
 * A query asked for at least a model version (its {@code minVersion}) that this replica does not hold ready
 * yet: another replica answered the client with it already. An HTTP 503 with Retry-After, so the client
 * asks another replica or tries again.
 */
public final class VersionNotReadyException extends RuntimeException {

    public VersionNotReadyException(String message) {
        super(message);
    }
}
