package io.planstream.index.rest;

import java.util.List;
import java.util.Map;

import io.planstream.index.service.SearchHit;
import io.planstream.index.service.SearchResult;

/**
 * The JSON answer to a similarity query: the model version that answered, the parameters, and the hits
 * best first; {@code score} is the cosine similarity in [-1, 1].
 */
public record SearchAnswer(int modelVersion, int k, int numCandidates, int from, double tookMs, List<Hit> hits) {

    public record Hit(String id, float score, int modelVersion, String format, String filename, Map<String, String> metadata,
                      String thumbnail) {
    }

    static SearchAnswer of(SearchResult r, double extraMs) {
        List<Hit> hits = r.hits().stream().map(SearchAnswer::hit).toList();
        return new SearchAnswer(r.modelVersion(), r.k(), r.numCandidates(), r.from(), r.tookMs() + extraMs, hits);
    }

    private static Hit hit(SearchHit h) {
        return new Hit(h.id(), h.score(), h.modelVersion(), h.format() == null ? null : h.format().toLowerCase(java.util.Locale.ROOT),
                h.filename(), h.metadata(), "/images/" + h.id() + "/thumbnail");
    }
}
