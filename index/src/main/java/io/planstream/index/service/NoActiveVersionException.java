package io.planstream.index.service;

/** No model version's index has caught up yet, so no query can be answered from one consistent version. */
public final class NoActiveVersionException extends RuntimeException {
    public NoActiveVersionException(String message) {
        super(message);
    }
}
