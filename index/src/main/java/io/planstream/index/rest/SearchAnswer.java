package io.planstream.index.rest;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.planstream.index.service.SearchHit;
import io.planstream.index.service.SearchResult;

/**
 * The JSON answer to a similarity query: the model version that answered, the parameters, and the hits
 * best first; {@code score} is the cosine similarity in [-1, 1]; with {@code after}, how the wait for the
 * token ended (absent without one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchAnswer(int modelVersion, int k, int numCandidates, int from, double tookMs, List<Hit> hits, After after) {

    /**
     * The wait of a query with {@code after=TOKEN}.
     *
     * @param token the upload's token waited for
     * @param timedOut the wait ended at its timeout: the upload may not be among the hits yet
     * @param waitedMs how long the query waited before it searched
     */
    public record After(String token, boolean timedOut, long waitedMs) {
    }

    SearchAnswer withAfter(After a) {
        return new SearchAnswer(modelVersion, k, numCandidates, from, tookMs, hits, a);
    }

    public record Hit(String id, float score, int modelVersion, String format, String filename, Map<String, String> metadata,
                      String thumbnail) {
    }

    static SearchAnswer of(SearchResult r, double extraMs) {
        List<Hit> hits = r.hits().stream().map(SearchAnswer::hit).toList();
        return new SearchAnswer(r.modelVersion(), r.k(), r.numCandidates(), r.from(), r.tookMs() + extraMs, hits, null);
    }

    private static Hit hit(SearchHit h) {
        return new Hit(h.id(), h.score(), h.modelVersion(), h.format() == null ? null : h.format().toLowerCase(java.util.Locale.ROOT),
                h.filename(), h.metadata(), "/images/" + h.id() + "/thumbnail");
    }
}
