package io.planstream.index.service;

import java.util.Map;

/**
 * One model version as the index sees it.
 *
 * @param state building (backfilling, not yet caught up), active (answers queries), standby (an older
 *              version kept for roll-back) or retired
 * @param embedderLag images its embedder has not processed yet; -1 when unknown
 * @param indexLag embeddings the index has not read yet; -1 when unknown
 */
public record VersionStatus(int version, String state, int documents, int dimension, long embedderLag, long indexLag,
                            boolean caughtUp, boolean rebuilt, String architecture, Map<String, Double> metrics) {
    public VersionStatus {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }
}
