package io.planstream.embedder.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * How the embedder groups records for one forward pass.
 *
 * @param batchSize most images in one forward pass (B)
 * @param maxWait longest a record waits for its batch to fill (T)
 * @param symmetries embed under the 8 rotations and mirrors of the square and average (floor plans)
 */
public record EmbedderSettings(int batchSize, Duration maxWait, boolean symmetries) {

    public static final int MAX_BATCH = 1024;

    public EmbedderSettings {
        Objects.requireNonNull(maxWait, "maxWait");
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new IllegalArgumentException("batchSize must be 1.." + MAX_BATCH + ", got " + batchSize);
        }
        if (maxWait.isNegative() || maxWait.isZero() || maxWait.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("maxWait must be in (0, 1 min], got " + maxWait);
        }
    }
}
