package io.planstream.schemas.registry;

/**
 * A schema-registry request that failed: the registry answered with an error, or no registry could be
 * reached. Carries the HTTP status and the Confluent {@code error_code} so callers can tell "not
 * found" and "incompatible" apart from an outage without parsing messages.
 */
public final class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** {@link #status()} and {@link #errorCode()} when no registry answered at all. */
    public static final int NO_ANSWER = -1;

    /** Confluent error codes, as answered by Confluent Schema Registry and the registries that copy its API. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_SOFT_DELETED = 40404;
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    public static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int STORE_ERROR = 50001;

    private final int status;
    private final int errorCode;
    private final String serverMessage;

    public SchemaRegistryException(int status, int errorCode, String serverMessage, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
        this.serverMessage = serverMessage == null ? "" : serverMessage;
    }

    /** The HTTP status the registry answered, or {@link #NO_ANSWER}. */
    public int status() {
        return status;
    }

    /** The Confluent {@code error_code} of the answer (often the HTTP status where the registry gave none), or {@link #NO_ANSWER}. */
    public int errorCode() {
        return errorCode;
    }

    /** The registry's own {@code message}, unchanged; empty when there was none. */
    public String serverMessage() {
        return serverMessage;
    }

    /** True when the registry answered that the subject, version or schema does not exist. */
    public boolean isNotFound() {
        return status == 404;
    }
}
