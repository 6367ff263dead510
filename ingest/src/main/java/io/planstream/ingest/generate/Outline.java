package io.planstream.ingest.generate;

/** The building footprints the generator draws, each in any of the eight axis-aligned orientations. */
public enum Outline {
    RECTANGLE("rectangle"),
    /** A rectangle with one corner cut away. */
    L_SHAPE("l_shape"),
    /** A bar along one side with a narrower wing standing off its middle. */
    T_SHAPE("t_shape");

    private final String key;

    Outline(String key) {
        this.key = key;
    }

    /** The snake_case name written to {@code attributes.jsonl}. */
    public String key() {
        return key;
    }
}
