package io.planstream.schemas.registry;

/**
 * A request the embedded registry refuses, with the HTTP status and Confluent error code to answer;
 * turned into a response in one place, {@link RegistryHttpHandler}.
 */
final class RegistryError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final int errorCode;

    RegistryError(int status, int errorCode, String message) {
        this(status, errorCode, message, null);
    }

    RegistryError(int status, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    int status() {
        return status;
    }

    int errorCode() {
        return errorCode;
    }

    static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    static RegistryError versionNotFound(String subject, Object version) {
        return new RegistryError(404, SchemaRegistryException.VERSION_NOT_FOUND,
                "Version " + version + " of subject '" + subject + "' not found.");
    }

    static RegistryError schemaNotFound(String id) {
        return new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found.");
    }

    static RegistryError invalidSchema(String message) {
        return new RegistryError(422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + message);
    }
}
