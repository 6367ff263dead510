package io.planstream.ingest.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.planstream.ingest.catalog.ImageSummary;
import io.planstream.ingest.catalog.IndexProgress;

/**
 * What {@code GET /images/{id}} answers: the image's attributes and how far it has come: {@code status}
 * is {@code indexed} once the active model version can find it, {@code accepted} before; {@code versions}
 * says it per live model version where this process runs the index, with the image's {@code timeline}
 * where this process indexed it recently; {@code waited} says how a {@code waitFor} wait ended (null without one).
 */
public record ImageStatus(String id, String status, String contentType, String format, int width, int height,
                          String source, String filename, String sha256, Instant uploadTime,
                          Map<String, String> metadata, int partition, long offset, List<IndexProgress.VersionProgress> versions,
                          Wait waited) {

    /**
     * @param waitFor the stage waited for
     * @param timedOut the wait ended at its timeout, not because the image reached the stage
     * @param waitedMs how long the answer waited
     */
    public record Wait(String waitFor, boolean timedOut, long waitedMs) {
    }

    static ImageStatus of(ImageSummary s, List<IndexProgress.VersionProgress> versions, Wait waited) {
        boolean indexed = versions.stream().anyMatch(v -> v.active() && v.indexed());
        return new ImageStatus(s.id(), indexed ? "indexed" : "accepted", s.contentType(), s.format(), s.width(), s.height(),
                s.source(), s.filename(), s.sha256(), s.uploadTime(), s.metadata(), s.partition(), s.offset(), List.copyOf(versions),
                waited);
    }
}
