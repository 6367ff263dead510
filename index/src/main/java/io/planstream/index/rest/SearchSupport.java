package io.planstream.index.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

import io.planstream.index.filter.Filter;
import io.planstream.index.filter.InvalidFilterException;
import io.planstream.index.lucene.VectorIndex;
import io.planstream.index.service.IndexService;
import io.planstream.index.service.SearchOptions;
import io.planstream.platform.UploadToken;
import io.planstream.platform.http.AfterToken;
import io.planstream.platform.http.BadRequestException;
import io.planstream.platform.http.WaitTimeout;

/** What the query routes share: the index of this process and the checks of k and numCandidates. */
@ApplicationScoped
public class SearchSupport {

    @Inject
    IndexRuntime index;

    public IndexService service() {
        return index.service().orElseThrow(() -> new IndexNotRunningException(
                "the index role does not run in this process; start it with planstream.roles including 'index'"));
    }

    /** Runs a query, turning the index's argument checks into 400 answers. */
    <T> T query(java.util.function.Supplier<T> q) {
        try {
            return q.get();
        } catch (InvalidFilterException e) {
            throw new BadRequestException("invalid_filter", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("invalid_query", e.getMessage());
        }
    }

    /**
     * The options of a similarity query from its parameters: {@code k}, {@code numCandidates},
     * {@code from}, the repeated {@code filter}, {@code minScore}, {@code version} and {@code minVersion};
     * each refusal is a 400 that names the parameter.
     */
    SearchOptions options(String k, String numCandidates, String from, List<String> filters, String minScore, String version,
                          String minVersion) {
        int kk = k(k);
        int nc = numCandidates(numCandidates, kk);
        int ff = integer("from", from, 0);
        List<Filter> parsed = query(() -> Filter.parseAll(filters));
        Float min = null;
        if (minScore != null && !minScore.isBlank()) {
            try {
                min = Float.parseFloat(minScore.trim());
            } catch (NumberFormatException e) {
                throw new BadRequestException("invalid_query", "minScore must be a number, got '" + abbreviate(minScore) + "'");
            }
        }
        Integer v = optionalInteger("version", version);
        Integer mv = optionalInteger("minVersion", minVersion);
        Float minimum = min;
        return query(() -> new SearchOptions(kk, nc, ff, parsed, minimum, v, mv));
    }

    /**
     * Waits, where {@code after} names an upload's token, until that upload is searchable on this replica or
     * {@code timeout} (default 30 s, at most 60 s) has passed; null without {@code after}. The query's worker
     * thread waits: a search is answered from the index it then holds, so the wait comes first.
     */
    SearchAnswer.After awaitAfter(String after, String timeout) {
        if (after == null || after.isBlank()) {
            if (timeout != null && !timeout.isBlank()) {
                throw new BadRequestException("invalid_query", "timeout applies only with after=TOKEN");
            }
            return null;
        }
        UploadToken token = AfterToken.parse(after);
        Duration limit = WaitTimeout.parse(timeout);
        IndexService s = service();
        long t0 = System.nanoTime();
        boolean reached;
        try {
            reached = s.awaitToken(token, limit).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reached = false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for " + token + " failed", e.getCause());
        }
        return new SearchAnswer.After(token.toString(), !reached, (System.nanoTime() - t0) / 1_000_000);
    }

    /** The filters of a listing. */
    List<Filter> filters(List<String> filters) {
        return query(() -> Filter.parseAll(filters));
    }

    int k(String value) {
        int k = integer("k", value, 10);
        checkKnn(k, Math.max(k, 1));
        return k;
    }

    int numCandidates(String value, int k) {
        int fallback = Math.min(VectorIndex.MAX_NUM_CANDIDATES, Math.max(index.defaultNumCandidates(), (int) Math.ceil(1.5 * k)));
        int nc = integer("numCandidates", value, fallback);
        checkKnn(k, nc);
        return nc;
    }

    private static void checkKnn(int k, int numCandidates) {
        try {
            VectorIndex.checkKnnArgs(k, numCandidates);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("invalid_query", e.getMessage());
        }
    }

    /** An optional integer parameter: null where absent, a 400 that names it where it is not an integer. */
    public static Integer optionalInteger(String name, String value) {
        return value == null || value.isBlank() ? null : integer(name, value, 0);
    }

    public static int integer(String name, String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new BadRequestException("invalid_query", name + " must be an integer, got '" + abbreviate(value) + "'");
        }
    }

    /** At most 40 characters of a value, for an error message. */
    public static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** The index role does not run in this process. */
    public static final class IndexNotRunningException extends RuntimeException {
        public IndexNotRunningException(String message) {
            super(message);
        }
    }
}
