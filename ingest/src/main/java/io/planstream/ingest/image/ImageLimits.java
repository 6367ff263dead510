package io.planstream.ingest.image;

import io.planstream.platform.Topics;

/**
 * Upper bounds an upload must respect before its pixels are decoded.
 *
 * <p>The pixel bound is what protects the heap: a few kilobytes of PNG can claim 50000x50000 pixels
 * and would need gigabytes once decoded, so dimensions are checked from the header first.
 *
 * @param maxBytes largest accepted upload, in bytes
 * @param maxWidth largest accepted width, in pixels
 * @param maxHeight largest accepted height, in pixels
 * @param maxPixels largest accepted width x height
 */
public record ImageLimits(long maxBytes, int maxWidth, int maxHeight, long maxPixels) {

    /** The size the images topic is made for by default (10 MiB). */
    public static final long DEFAULT_MAX_BYTES = Topics.DEFAULT_MAX_UPLOAD_BYTES;
    public static final int DEFAULT_MAX_WIDTH = 10_000;
    public static final int DEFAULT_MAX_HEIGHT = 10_000;
    /** 40 megapixels: a large photo, about 160 MB as 4-byte pixels once decoded. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    public ImageLimits {
        requirePositive("maxBytes", maxBytes);
        requirePositive("maxWidth", maxWidth);
        requirePositive("maxHeight", maxHeight);
        requirePositive("maxPixels", maxPixels);
    }

    /** 10 MiB, 10000 x 10000, 40 000 000 pixels. */
    public static ImageLimits defaults() {
        return new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_WIDTH, DEFAULT_MAX_HEIGHT, DEFAULT_MAX_PIXELS);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
