package io.planstream.models;

import java.io.IOException;
import java.net.URI;

/**
 * A model artifact could not be fetched from Kafka: its records are missing, incomplete, inconsistent
 * or do not match their hashes. The message names the version, the URI and what was wrong.
 */
public class ArtifactFetchException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int version;
    private final URI uri;

    public ArtifactFetchException(int version, URI uri, String problem) {
        this(version, uri, problem, null);
    }

    public ArtifactFetchException(int version, URI uri, String problem, Throwable cause) {
        super("cannot fetch the artifact of model version " + version + " from " + uri + ": " + problem, cause);
        this.version = version;
        this.uri = uri;
    }

    /** The model version whose artifact was asked for. */
    public int version() {
        return version;
    }

    /** The artifact URI that was asked for. */
    public URI uri() {
        return uri;
    }
}
