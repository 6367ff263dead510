package io.planstream.simclr.model;

import java.io.IOException;

/** A file that cannot serve as an encoder, with why: the operator who imported it can act on the reason. */
public final class RefusedEncoderException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What was wrong with the file. */
    public enum Reason {
        /** Not a module libtorch can load. */
        NOT_TORCHSCRIPT,
        /** The module fails on an (N, C, S, S) float batch. */
        FORWARD_FAILED,
        /** The module's output is not one (N, D) tensor of finite floats. */
        WRONG_OUTPUT
    }

    private final Reason reason;

    public RefusedEncoderException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
