package io.planstream.app.index;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the index role. HNSW settings carry Elasticsearch's names. */
@ConfigMapping(prefix = "planstream.index")
public interface IndexConfig {

    /** Graph neighbours per node (Lucene's maxConn), 2..512. */
    @WithDefault("16")
    int m();

    /** Candidates considered while inserting (Lucene's beamWidth), 1..3200. */
    @WithDefault("100")
    int efConstruction();

    /** Store vectors quantised to int8 (about 4x less memory for the vectors, slightly lower recall). */
    @WithDefault("false")
    boolean int8();

    /** How often new embeddings become searchable (a reopen of the index reader; cheap at this rate). */
    @WithDefault("100ms")
    Duration refreshInterval();

    /** How often indexes are committed with their Kafka offsets (a restart replays at most this much). */
    @WithDefault("5s")
    Duration commitInterval();

    /** A version whose embedder and index lag at most this many records counts as caught up. */
    @WithDefault("20")
    long catchUpLag();

    /** Versions kept on disk: the active one and the newest older ones, for an instant roll-back. */
    @WithDefault("2")
    int retainVersions();

    /** Largest side of the thumbnails, in pixels. */
    @WithDefault("128")
    int thumbnailSize();

    /** numCandidates when a query gives none: at least 100, and 1.5 k for larger k (as Elasticsearch does). */
    @WithDefault("100")
    int defaultNumCandidates();
}
