package io.planstream.app.index;

import java.time.Duration;
import java.util.Optional;

import io.planstream.index.lucene.HnswParams;
import io.planstream.index.service.IndexSettings;
import io.planstream.index.service.ServingSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the index role. HNSW settings carry Elasticsearch's names. */
@ConfigMapping(prefix = "planstream.index")
public interface IndexConfig {

    /**
     * Elasticsearch's {@code index_options.type}: {@code hnsw} (float vectors), {@code int8_hnsw},
     * {@code int4_hnsw} or {@code bbq_hnsw} (quantised graph, candidates re-scored on the floats).
     */
    @WithDefault(HnswParams.DEFAULT_TYPE_NAME)
    String type();

    /** Graph neighbours per node (Lucene's maxConn), 2..512. */
    @WithDefault("" + HnswParams.DEFAULT_M)
    int m();

    /** Candidates considered while inserting (Lucene's beamWidth), 1..3200. */
    @WithDefault("" + HnswParams.DEFAULT_EF_CONSTRUCTION)
    int efConstruction();

    /** Threads that build a merged segment's graph together; unset: one per core. */
    Optional<Integer> mergeWorkers();

    /**
     * The least time between two refreshes (a reopen of the index reader): applied embeddings become searchable
     * at once where the last refresh is at least this long ago, else when it is.
     */
    @WithDefault(IndexSettings.DEFAULT_REFRESH_MILLIS + "ms")
    Duration refreshInterval();

    /** How often indexes are committed with their Kafka offsets (a restart replays at most this much). */
    @WithDefault(IndexSettings.DEFAULT_COMMIT_SECONDS + "s")
    Duration commitInterval();

    /** A version whose embedder and index lag at most this many records counts as caught up. */
    @WithDefault("" + IndexSettings.DEFAULT_CATCH_UP_LAG)
    long catchUpLag();

    /** Versions kept on disk: the active one and the newest older ones, for an instant roll-back. */
    @WithDefault("" + IndexSettings.DEFAULT_RETAIN_VERSIONS)
    int retainVersions();

    /** Largest side of the thumbnails, in pixels. */
    @WithDefault("" + IndexSettings.DEFAULT_THUMBNAIL_SIZE)
    int thumbnailSize();

    /**
     * This replica's name among the index replicas that agree on one serving version: stable over restarts and
     * unique (a StatefulSet pod's name); unset: {@code host:/index/folder}.
     */
    Optional<String> replicaId();

    /** Where this replica answers HTTP, shown to the other replicas' status; unset: not shown. */
    Optional<String> endpoint();

    /** How often this replica reports to the others what it serves and holds ready. */
    @WithDefault(ServingSettings.DEFAULT_HEARTBEAT_MILLIS + "ms")
    Duration heartbeat();

    /** How long a replica counts as live after its last report: a replica that died delays a switch this long at most. */
    @WithDefault(ServingSettings.DEFAULT_REPLICA_TIMEOUT_MILLIS + "ms")
    Duration replicaTimeout();

    /** The transactional id of the switch producer, shared by every replica so that a new coordinator fences an old one. */
    @WithDefault(ServingSettings.DEFAULT_SWITCH_TRANSACTIONAL_ID)
    String switchTransactionalId();

    /** numCandidates when a query gives none: at least 100, and 1.5 k for larger k (as Elasticsearch does). */
    @WithDefault("100")
    int defaultNumCandidates();
}
