package io.planstream.platform.http;

import io.planstream.platform.UploadToken;

/** The {@code after} parameter of a waiting request: an upload's token, or a 400 that says what is wrong with it. */
public final class AfterToken {

    private AfterToken() {
    }

    /** The token {@code value} names; a 400 {@code invalid_query} where it is not one. */
    public static UploadToken parse(String value) {
        try {
            return UploadToken.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("invalid_query", "after: " + e.getMessage());
        }
    }
}
