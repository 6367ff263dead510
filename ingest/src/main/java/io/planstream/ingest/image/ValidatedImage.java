package io.planstream.ingest.image;

import io.planstream.avro.ImageFormat;
import java.awt.image.BufferedImage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An upload that passed {@link UploadValidator}.
 *
 * @param contentType the MIME type sniffed from the bytes, never the client's claim
 * @param width width of the original in pixels
 * @param height height of the original in pixels
 * @param format {@code RPLAN} for an RPLAN raster, else {@code PICTURE}
 * @param image the decoded original (for RPLAN: the raw four-channel raster)
 * @param rendered for RPLAN, the PNG colour picture made by {@link Rplan#render}; empty for pictures
 * @param metadata for RPLAN, the room counts of {@link Rplan#roomCounts}; empty for pictures
 * @param warnings decoder warnings that did not make the image unusable, for logging
 */
public record ValidatedImage(
        String contentType,
        int width,
        int height,
        ImageFormat format,
        BufferedImage image,
        Optional<byte[]> rendered,
        Map<String, String> metadata,
        List<String> warnings) {

    public ValidatedImage {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(rendered, "rendered");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        warnings = List.copyOf(warnings);
    }
}
