package io.planstream.app.index;

/**
 * An import the model API refuses, with the HTTP status and a stable code: {@code invalid_import} (400),
 * {@code empty_body} (400), {@code not_torchscript}, {@code encoder_failed}, {@code wrong_output} (400),
 * {@code too_large} (413), {@code already_published} (409).
 */
public class ModelImportException extends RuntimeException {

    private final int status;
    private final String code;

    public ModelImportException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
