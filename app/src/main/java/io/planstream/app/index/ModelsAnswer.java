package io.planstream.app.index;

import java.util.List;
import java.util.Map;

/**
 * What {@code GET /models} answers: the version answering queries and every version the system knows,
 * newest first.
 *
 * <p>A version's {@code state}: {@code published} (in the models topic, nothing indexed yet),
 * {@code building} (backfilling), {@code active}, {@code standby} (older, kept for roll-back) or
 * {@code retired}. {@code lag} is the images its embedder has not processed, {@code indexLag} the
 * embeddings the index has not read; -1 where unknown.
 */
public record ModelsAnswer(Integer active, int images, List<Entry> versions) {

    public record Entry(int version, String state, int documents, Integer dimension, long lag, long indexLag, boolean caughtUp,
                        String architecture, Integer parent, Map<String, Double> metrics) {
    }
}
