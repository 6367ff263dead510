package io.planstream.index.service;

import java.util.List;

/** The answer to one query; every hit comes from {@code modelVersion}'s index, never from two. */
public record SearchResult(int modelVersion, int k, int numCandidates, int from, double tookMs, List<SearchHit> hits) {
    public SearchResult {
        hits = List.copyOf(hits);
    }
}
