package io.planstream.app.config;

import java.nio.file.Path;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Settings of one Planstream process. Kafka client settings are read from {@code kafka.*}, see {@link io.planstream.app.kafka.PlatformProducer}. */
@ConfigMapping(prefix = "planstream")
public interface PlanstreamConfig {

    /** Roles this process runs: any of ingest, embedder, index, trainer; an unknown one stops the start. */
    @WithDefault("ingest,embedder,index,trainer")
    List<@WithConverter(ProcessRole.ConfigConverter.class) ProcessRole> roles();

    /** Where the one-machine default keeps its state (broker log, indexes, models). */
    @WithDefault("planstream-data")
    Path dataDir();

    Embedded embedded();

    Topics topics();

    /**
     * How often the process hands the memory glibc's allocator keeps after libtorch's frees back to the
     * system (malloc_trim; see io.planstream.simclr.NativeMemoryTrimmer). 0s: never.
     */
    @WithDefault("30s")
    java.time.Duration nativeTrimInterval();

    /** The in-process broker and registry, used when no {@code kafka.bootstrap.servers} / {@code schema.registry.url} is set. */
    interface Embedded {
        /**
         * The address the embedded broker and registry listen on and advertise. Neither authenticates, so an
         * address beyond loopback needs {@code planstream.security.allow-open-network} (a trusted network).
         */
        @WithDefault("127.0.0.1")
        String host();

        /** Client port of the embedded broker; 0 picks a free one. */
        @WithDefault("19092")
        int kafkaPort();

        /** Port of the embedded schema registry; 0 picks a free one. */
        @WithDefault("18081")
        int registryPort();

        /** Keep the broker's data in a temporary directory deleted at exit (tests) instead of {@code data-dir/kafka}. */
        @WithDefault("false")
        boolean temporary();
    }

    /** How the shared topics are created where they are missing. */
    interface Topics {
        /** Partitions of the images and embeddings topics: the most embedder instances that can share the work. */
        @WithDefault("3")
        int partitions();

        /** Replication factor of every topic (1 on one machine, 3 on a cluster). */
        @WithName("replication-factor")
        @WithDefault("1")
        short replicationFactor();

        /** How long start-up waits for Kafka before it fails. */
        @WithDefault("30s")
        java.time.Duration startupTimeout();
    }

    /** Whether this process runs {@code role}. */
    default boolean runs(ProcessRole role) {
        return roles().contains(role);
    }

    /** Path under {@link #dataDir()}. */
    default Path dataPath(String name) {
        return dataDir().resolve(name);
    }

}
