package io.planstream.ingest.rest;

import java.time.Instant;
import java.util.Map;

import io.planstream.ingest.catalog.ImageSummary;

/** What {@code GET /images/{id}} answers: the image's attributes and how far it has come. */
public record ImageStatus(String id, String status, String contentType, String format, int width, int height,
                          String source, String filename, String sha256, Instant uploadTime,
                          Map<String, String> metadata, int partition, long offset) {

    static ImageStatus of(ImageSummary s) {
        return new ImageStatus(s.id(), "accepted", s.contentType(), s.format(), s.width(), s.height(), s.source(),
                s.filename(), s.sha256(), s.uploadTime(), s.metadata(), s.partition(), s.offset());
    }
}
