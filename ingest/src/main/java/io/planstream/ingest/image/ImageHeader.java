package io.planstream.ingest.image;

import java.util.Objects;

/**
 * What an image's header claims, read without decoding any pixel.
 *
 * @param type the container recognised from the magic bytes
 * @param width claimed width in pixels
 * @param height claimed height in pixels
 */
public record ImageHeader(ImageType type, int width, int height) {

    public ImageHeader {
        Objects.requireNonNull(type, "type");
    }

    /** Width x height, computed in {@code long} because two legal ints overflow an int. */
    public long pixels() {
        return (long) width * height;
    }
}
