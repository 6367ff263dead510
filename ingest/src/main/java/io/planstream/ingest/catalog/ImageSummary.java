package io.planstream.ingest.catalog;

import java.time.Instant;
import java.util.Map;

import io.planstream.avro.ImageRecord;

/** What is known of one accepted image, without its bytes. */
public record ImageSummary(String id, String contentType, String format, int width, int height, String source,
                           String filename, String sha256, Instant uploadTime, Map<String, String> metadata,
                           int partition, long offset) {

    public ImageSummary {
        metadata = Map.copyOf(metadata);
    }

    public static ImageSummary of(ImageRecord r, int partition, long offset) {
        return new ImageSummary(r.getId(), r.getContentType(), r.getFormat().name().toLowerCase(java.util.Locale.ROOT),
                r.getWidth(), r.getHeight(), r.getSource(), r.getFilename(), r.getSha256(), r.getUploadTime(),
                r.getMetadata(), partition, offset);
    }
}
