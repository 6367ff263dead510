package io.planstream.index.service;

import java.util.List;

import io.planstream.index.filter.Filter;
import io.planstream.index.lucene.VectorIndex;

/**
 * What a similarity query asks beyond its vector: a page ({@code from} hits skipped, {@code k} hits),
 * the candidates the graph gathers, filters every hit meets, the lowest cosine a hit may have, the
 * model version that answers (null: the active one), and the lowest version that may answer where none is
 * named (null: any; the {@code modelVersion} of the client's last answer, so that it never goes back).
 * Checked as {@link VectorIndex.KnnRequest} checks them.
 */
public record SearchOptions(int k, int numCandidates, int from, List<Filter> filters, Float minScore, Integer version,
                            Integer minVersion) {

    public SearchOptions {
        if (minVersion != null && minVersion < 0) {
            throw new IllegalArgumentException("minVersion must be at least 0, got " + minVersion);
        }
        filters = filters == null ? List.of() : List.copyOf(filters);
        new VectorIndex.KnnRequest(k, numCandidates, from, null, filters, minScore); // checks the values
    }

    /** The first k hits of numCandidates, unfiltered, from the active version. */
    public static SearchOptions of(int k, int numCandidates) {
        return new SearchOptions(k, numCandidates, 0, List.of(), null, null, null);
    }

    VectorIndex.KnnRequest request(String excludeId) {
        return new VectorIndex.KnnRequest(k, numCandidates, from, excludeId, filters, minScore);
    }
}
