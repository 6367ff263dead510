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

    /** @param indexed the version's embedding of the image is searchable */
    public record PerVersion(int version, boolean active, boolean indexed) {
    }
}
