package io.planstream.index.filter;

/** A filter that is malformed, or names a field the index does not hold; the message names the filter. */
public final class InvalidFilterException extends IllegalArgumentException {

    public InvalidFilterException(String message) {
        super(message);
    }
}
