package io.planstream.index.service;

import java.util.List;

/**
 * What the index knows of one image: whether its record reached the catalog, and per live model version
 * whether its embedding is searchable.
 */
public record ImageIndexStatus(String id, boolean catalogued, List<PerVersion> versions) {
    public ImageIndexStatus {
        versions = List.copyOf(versions);
    }

    /**
     * @param indexed the version's embedding of the image is searchable
     * @param stamps when it passed each stage, where this replica indexed it recently; else null
     */
    public record PerVersion(int version, boolean active, boolean indexed, Stamps stamps) {
    }

    /**
     * Wall-clock epoch milliseconds of an image's way through the pipeline, as the servers' clocks saw it.
     *
     * @param uploaded ingest accepted it (0 where unknown)
     * @param embedded the embedder embedded it
     * @param indexed this replica read the embedding (its transaction committed) and applied it
     * @param searchable a refresh made it searchable
     */
    public record Stamps(long uploaded, long embedded, long indexed, long searchable) {
    }
}
