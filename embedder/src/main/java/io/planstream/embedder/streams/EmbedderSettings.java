package io.planstream.embedder.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * How the embedder groups records for one forward pass.
 *
 * @param batchSize most images in one forward pass (B)
 * @param maxWait longest a record waits for its batch to fill (T)
 * @param symmetries embed under the 8 rotations and mirrors of the square and average (floor plans)
 * @param commitWhenDrained request the transaction's commit as soon as no batch is out (embeddings visible within
 *                          milliseconds); false leaves every commit to Kafka Streams' commit interval (fewer, longer
 *                          transactions)
 */
public record EmbedderSettings(int batchSize, Duration maxWait, boolean symmetries, boolean commitWhenDrained) {

    public static final int MAX_BATCH = 1024;
    // Compile-time constants, so that a configuration mapping's defaults can name them.
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final long DEFAULT_MAX_WAIT_MILLIS = 50;
    public static final boolean DEFAULT_SYMMETRIES = true;
    public static final boolean DEFAULT_COMMIT_WHEN_DRAINED = true;
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(DEFAULT_MAX_WAIT_MILLIS);

    public EmbedderSettings {
        Objects.requireNonNull(maxWait, "maxWait");
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new IllegalArgumentException("batchSize must be 1.." + MAX_BATCH + ", got " + batchSize);
        }
        if (maxWait.isNegative() || maxWait.isZero() || maxWait.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("maxWait must be in (0, 1 min], got " + maxWait);
        }
    }

    /** With the commit requested as soon as no batch is out. */
    public EmbedderSettings(int batchSize, Duration maxWait, boolean symmetries) {
        this(batchSize, maxWait, symmetries, DEFAULT_COMMIT_WHEN_DRAINED);
    }
}
