package io.planstream.app.index;

import java.util.Set;

/** A model version the models topic does not hold: answered 404 {@code unknown_model}. */
public class UnknownModelException extends RuntimeException {

    public UnknownModelException(int version, Set<Integer> known) {
        super("model version " + version + " is not in the models topic (known: " + (known.isEmpty() ? "none" : known) + ")");
    }
}
