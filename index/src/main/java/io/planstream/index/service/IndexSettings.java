package io.planstream.index.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import io.planstream.index.catalog.Thumbnails;
import io.planstream.index.lucene.HnswParams;

/**
 * How the index role keeps its indexes.
 *
 * @param dataDir where the per-version indexes and the image catalog live
 * @param hnsw graph parameters of every new version index
 * @param refreshInterval the least time between two refreshes: new embeddings become searchable at the first refresh
 *                        after they are applied, at once where the last one is at least this long ago
 * @param commitInterval how often indexes are committed with their Kafka offsets (a restart replays at most this much)
 * @param catchUpLag records of lag (embedder and index together) under which a version counts as caught up
 * @param retainVersions how many versions are kept: the active one and the newest older ones, for an instant roll-back
 * @param thumbnailSize largest side of the thumbnails in pixels
 * @param superviseInterval how often lags are measured and the active version reconsidered
 * @param serving how this replica takes part in the cluster's choice of serving version
 */
public record IndexSettings(Path dataDir, HnswParams hnsw, Duration refreshInterval, Duration commitInterval,
                            long catchUpLag, int retainVersions, int thumbnailSize, Duration superviseInterval,
                            ServingSettings serving) {

    // The defaults are compile-time constants so that a configuration mapping's @WithDefault can name them.
    public static final long DEFAULT_REFRESH_MILLIS = 25;
    public static final long DEFAULT_COMMIT_SECONDS = 5;
    public static final long DEFAULT_CATCH_UP_LAG = 20;
    public static final int DEFAULT_RETAIN_VERSIONS = 2;
    public static final int DEFAULT_THUMBNAIL_SIZE = Thumbnails.DEFAULT_SIZE;
    public static final long DEFAULT_SUPERVISE_MILLIS = 500;
    public static final Duration DEFAULT_REFRESH = Duration.ofMillis(DEFAULT_REFRESH_MILLIS);
    public static final Duration DEFAULT_COMMIT = Duration.ofSeconds(DEFAULT_COMMIT_SECONDS);
    public static final Duration DEFAULT_SUPERVISE = Duration.ofMillis(DEFAULT_SUPERVISE_MILLIS);

    /** As the canonical constructor, with the {@link ServingSettings#defaults default serving settings}. */
    public IndexSettings(Path dataDir, HnswParams hnsw, Duration refreshInterval, Duration commitInterval,
                         long catchUpLag, int retainVersions, int thumbnailSize, Duration superviseInterval) {
        this(dataDir, hnsw, refreshInterval, commitInterval, catchUpLag, retainVersions, thumbnailSize, superviseInterval,
                ServingSettings.defaults(dataDir));
    }

    public IndexSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(serving, "serving");
        Objects.requireNonNull(hnsw, "hnsw");
        positive(refreshInterval, "refreshInterval");
        positive(commitInterval, "commitInterval");
        positive(superviseInterval, "superviseInterval");
        if (catchUpLag < 0) {
            throw new IllegalArgumentException("catchUpLag must be at least 0, got " + catchUpLag);
        }
        if (retainVersions < 1) {
            throw new IllegalArgumentException("retainVersions must be at least 1 (the active version), got " + retainVersions);
        }
        if (thumbnailSize < 8 || thumbnailSize > 1024) {
            throw new IllegalArgumentException("thumbnailSize must be between 8 and 1024 pixels, got " + thumbnailSize);
        }
    }

    /** The defaults, in {@code dataDir}. */
    public static IndexSettings defaults(Path dataDir) {
        return new IndexSettings(dataDir, HnswParams.defaults(), DEFAULT_REFRESH, DEFAULT_COMMIT, DEFAULT_CATCH_UP_LAG,
                DEFAULT_RETAIN_VERSIONS, DEFAULT_THUMBNAIL_SIZE, DEFAULT_SUPERVISE);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
