package io.planstream.ingest.image;

import java.util.Objects;

/**
 * An upload was refused. {@link #code()} is a stable machine-readable reason for API clients and
 * dead-letter records; the message is for people and names the offending values.
 */
public final class InvalidImageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why an upload was refused, in the order {@link UploadValidator} checks. */
    public enum Reason {
        INVALID_FORMAT("invalid_format"),
        EMPTY_BODY("empty_body"),
        TOO_LARGE("too_large"),
        NOT_AN_IMAGE("not_an_image"),
        CONTENT_TYPE_MISMATCH("content_type_mismatch"),
        UNSUPPORTED_FORMAT("unsupported_format"),
        TRUNCATED("truncated"),
        CORRUPT("corrupt"),
        DIMENSIONS_TOO_LARGE("dimensions_too_large"),
        NOT_RPLAN("not_rplan");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public InvalidImageException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public InvalidImageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    /** The reason as a snake_case string, e.g. {@code truncated}. */
    public String code() {
        return reason.code();
    }
}
