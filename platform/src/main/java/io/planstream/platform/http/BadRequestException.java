package io.planstream.platform.http;

/** A request the API refuses with 400 and a machine-readable code. */
public final class BadRequestException extends RuntimeException {

    private final String code;

    public BadRequestException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
