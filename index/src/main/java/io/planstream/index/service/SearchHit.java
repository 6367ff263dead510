package io.planstream.index.service;

import java.util.Map;

/**
 * One neighbour: the image id, its cosine similarity to the query (dot product of unit vectors, in
 * [-1, 1]), the model version that answered, and what the catalog knows of the image.
 */
public record SearchHit(String id, float score, int modelVersion, String format, String filename, Map<String, String> metadata) {
    public SearchHit {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
