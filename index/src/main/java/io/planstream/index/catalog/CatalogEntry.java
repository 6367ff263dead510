package io.planstream.index.catalog;

import java.util.Map;

/** What the index keeps of an accepted image besides its vectors: where it came from and its metadata. */
public record CatalogEntry(String id, String format, int width, int height, String filename, String source,
                           long uploadTime, Map<String, String> metadata, boolean hasThumbnail) {
    public CatalogEntry {
        metadata = Map.copyOf(metadata);
    }
}
