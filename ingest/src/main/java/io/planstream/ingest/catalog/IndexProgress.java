package io.planstream.ingest.catalog;

import java.util.List;

/**
 * How far an accepted image has come beyond the upload: per model version, whether its embedding is
 * searchable. Implemented where the index runs; {@code GET /images/{id}} reports it when present.
 */
public interface IndexProgress {

    /** The live model versions, newest first, and whether each has the image indexed. */
    List<VersionProgress> versions(String id);

    /** @param indexed the version's embedding of the image is searchable */
    record VersionProgress(int version, boolean active, boolean indexed) {
    }
}
