package io.planstream.ingest.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import io.planstream.platform.UploadToken;

/**
 * How far an accepted image has come beyond the upload: per model version, whether its embedding is
 * searchable. Implemented where the index runs; {@code GET /images/{id}} reports it when present.
 */
public interface IndexProgress {

    /** The live model versions, newest first, and whether each has the image indexed. */
    List<VersionProgress> versions(String id);

    /**
     * Completes with true as soon as the image is searchable in the active model version, or with false
     * after {@code timeout}; empty where this process does not run the index.
     */
    Optional<CompletionStage<Boolean>> awaitSearchable(String id, Duration timeout);

    /**
     * Completes with true as soon as the upload at {@code token} (and every earlier one in its partition) is
     * searchable in the active model version, or with false after {@code timeout}; empty where this process
     * does not run the index.
     */
    Optional<CompletionStage<Boolean>> awaitToken(UploadToken token, Duration timeout);

    /**
     * @param indexed the version's embedding of the image is searchable
     * @param timeline when the image passed each stage, where this process indexed it recently; else null
     */
    record VersionProgress(int version, boolean active, boolean indexed, Timeline timeline) {
    }

    /**
     * When an image passed each stage of the pipeline, by the servers' clocks.
     *
     * @param accepted ingest accepted it (null where the record does not say)
     * @param embedded the embedder embedded it
     * @param indexed the index read the embedding, once the embedder's transaction had committed, and applied it
     * @param searchable a refresh of the index made it searchable
     */
    record Timeline(Instant accepted, Instant embedded, Instant indexed, Instant searchable) {
    }
}
