package io.planstream.app.embedder;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import io.planstream.embedder.streams.EmbedderSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the embedder role. */
@ConfigMapping(prefix = "planstream.embedder")
public interface EmbedderConfig {

    /** Most images in one forward pass (B). */
    @WithDefault("" + EmbedderSettings.DEFAULT_BATCH_SIZE)
    int batchSize();

    /** Longest a record waits for its batch to fill (T). */
    @WithDefault(EmbedderSettings.DEFAULT_MAX_WAIT_MILLIS + "ms")
    Duration maxWait();

    /** Embed under the 8 rotations and mirrors and average (plans are the same layout turned or mirrored). */
    @WithDefault("" + EmbedderSettings.DEFAULT_SYMMETRIES)
    boolean symmetries();

    /** Encoder of version 0, used until a model version is published: resnet-mini, resnet18, ... */
    @WithDefault("resnet-mini")
    String bootstrapEncoder();

    /** Input side of the bootstrap encoder, in pixels. */
    @WithDefault("64")
    int bootstrapSize();

    /** Seed of the bootstrap encoder's weights: the same on every instance, so their embeddings agree. */
    @WithDefault("42")
    long bootstrapSeed();

    /** auto (a GPU where DJL sees one), cpu or gpu. */
    @WithDefault("auto")
    String device();

    /**
     * Forward workers per stream thread, each with its own encoder. Unset: one per core on a CPU (each
     * single-threaded), one on a GPU.
     */
    OptionalInt forwardWorkers();

    /**
     * PyTorch intra-op threads of each forward worker. Unset: 1 on a CPU with the workers unset, else the
     * cores shared among the workers; PyTorch's default on a GPU.
     */
    OptionalInt forwardThreads();

    /** Stream threads per model version. */
    @WithDefault("1")
    int threads();

    /** Kafka Streams commit interval: bounds how long an embedding waits to become visible. */
    @WithDefault("100ms")
    Duration commitInterval();

    /**
     * Request the commit as soon as no batch is out, so that embeddings are visible within milliseconds; false
     * leaves every commit to {@link #commitInterval()} (fewer, longer transactions).
     */
    @WithDefault("" + EmbedderSettings.DEFAULT_COMMIT_WHEN_DRAINED)
    boolean commitWhenDrained();

    /**
     * How long the group waits for a silent embedder instance before it hands that instance's partitions
     * to the others (the consumer's session timeout; the broker accepts 6 s to 30 min by default).
     * Unset: Kafka's default (45 s).
     */
    Optional<Duration> sessionTimeout();

    /** A new version counts as caught up when its lag on the images topic is at most this. */
    @WithDefault("0")
    long catchUpLag();
}
