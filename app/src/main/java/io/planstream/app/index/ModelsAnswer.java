package io.planstream.app.index;

import java.util.List;
import java.util.Map;

import io.planstream.avro.ModelState;

/**
 * What {@code GET /models} answers: the version answering queries, the version every role converges on
 * ({@code target}: the newest published one, or the one an operator pinned) and every version the
 * system knows, newest first.
 *
 * <p>A version's {@code state}: {@code published} (in the models topic, nothing indexed yet),
 * {@code building} (backfilling), {@code active}, {@code standby} (kept for roll-back) or
 * {@code retired}. {@code lag} is the images its embedder has not processed, {@code indexLag} the
 * embeddings the index has not read; -1 where unknown.
 */
public record ModelsAnswer(Integer active, Integer target, int images, List<Entry> versions) {

    public record Entry(int version, String state, boolean pinned, int documents, Integer dimension, long lag, long indexLag,
                        boolean caughtUp, String architecture, Integer parent, Map<String, Double> metrics) {
    }

    /** What a pin or an unpin changed, and the target it leaves. */
    public record Change(Integer target, Map<Integer, ModelState> changed) {
    }

    /**
     * The version an import published, and the target it leaves: the new version, unless an operator
     * pinned another one.
     *
     * @param file the module's file name in the artifact
     */
    public record Imported(int version, Integer target, String architecture, int dimension, int inputSize, int channels,
                           String normalization, String file, String artifactUri, String artifactSha256, String publisher,
                           java.time.Instant createdTime) {
    }
}
