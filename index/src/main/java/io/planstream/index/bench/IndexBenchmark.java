package io.planstream.index.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import io.planstream.index.lucene.HnswParams;
import io.planstream.index.lucene.VectorIndex;
import io.planstream.index.vectors.ExactSearch;
import io.planstream.index.vectors.VectorSet;

/**
 * Builds a {@link VectorIndex} from a set of vectors and measures its searches on one thread:
 * queries per second, latency, and recall against brute force, for several {@code numCandidates}.
 * The same queries also run as bare Lucene searches ({@code IndexSearcher.search} of a
 * {@link KnnFloatVectorQuery}, the ids left unread) on the same index files, taking turns with the
 * index's own query by query, so that the cost of the index layer shows as a ratio that the noise
 * of a shared machine affects on both sides alike. Ground truth is the exact top k by cosine.
 */
public final class IndexBenchmark {

    /** Searches per side before timing, whatever the number of queries: enough for the JIT. */
    private static final int WARMUP_SEARCHES = 2_000;

    /**
     * What to measure. Vector {@code i} is indexed under the id {@code "i"}.
     *
     * @param dir where to build the index; an index already there is deleted first
     * @param rounds timed passes over the queries per side and {@code numCandidates}
     * @param buildThreads threads that add the vectors, each building a segment's graph of its own,
     *        before the merge to one segment joins them with {@link HnswParams#mergeWorkers()} threads
     */
    public record Config(VectorSet vectors, VectorSet queries, int k, List<Integer> numCandidates, HnswParams params,
                         Path dir, int rounds, int buildThreads, List<Double> filterSelectivities) {

        /** Without filtered searches. */
        public Config(VectorSet vectors, VectorSet queries, int k, List<Integer> numCandidates, HnswParams params, Path dir,
                      int rounds, int buildThreads) {
            this(vectors, queries, k, numCandidates, params, dir, rounds, buildThreads, List.of());
        }

        public Config {
            filterSelectivities = List.copyOf(filterSelectivities);
            for (double sel : filterSelectivities) {
                if (!(sel >= 1.0 / BUCKETS && sel <= 1)) {
                    throw new IllegalArgumentException("a filter selectivity must be between " + 1.0 / BUCKETS
                            + " and 1, got " + sel);
                }
            }
            if (buildThreads < 1) {
                throw new IllegalArgumentException("build threads must be at least 1, got " + buildThreads);
            }
            if (queries.dimension() != vectors.dimension()) {
                throw new IllegalArgumentException("queries have " + queries.dimension() + " dimensions, the vectors "
                        + vectors.dimension());
            }
            if (vectors.size() < 1 || queries.size() < 1) {
                throw new IllegalArgumentException("need at least one vector and one query, got " + vectors.size()
                        + " and " + queries.size());
            }
            if (numCandidates.isEmpty()) {
                throw new IllegalArgumentException("numCandidates must list at least one value");
            }
            numCandidates.forEach(nc -> VectorIndex.checkKnnArgs(k, nc));
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
            }
            numCandidates = List.copyOf(numCandidates);
        }
    }

    /** Filtered searches: the share of vectors a filter lets through, the searches' rate and their recall. */
    public record FilteredRow(double selectivity, int numCandidates, Latencies index, double recall) {
    }

    /** The build, one row per {@code numCandidates}, and one per filter selectivity and {@code numCandidates}. */
    public record Result(int vectors, int dimension, HnswParams params, int buildThreads, double buildSeconds,
                         double forceMergeSeconds, List<Row> rows, List<FilteredRow> filtered) {
        /** Upserts and the commit that flushes them, without the final merge. */
        public double buildVectorsPerS() {
            return vectors / buildSeconds;
        }

        /** From the first upsert to one searchable segment: the build and the merge. */
        public double totalBuildSeconds() {
            return buildSeconds + forceMergeSeconds;
        }
    }

    /**
     * One {@code numCandidates}: the index's searches and the bare Lucene searches, and the mean
     * recall of the index's top k against the exact top k.
     */
    public record Row(int k, int numCandidates, Latencies index, Latencies lucene, double recall) {
        public double qps() {
            return index.qps();
        }

        public double luceneQps() {
            return lucene.qps();
        }

        /** Index queries/s over bare Lucene queries/s: 1 means the index layer costs nothing. */
        public double qpsRatio() {
            return index.qps() / lucene.qps();
        }

        /**
         * Bare Lucene's median latency over the index's: the same ratio for a typical query. On a
         * shared machine a few descheduled searches move the means (and so {@link #qpsRatio()})
         * by several percent; the medians hardly move.
         */
        public double p50Ratio() {
            return lucene.p50Ms() / index.p50Ms();
        }
    }

    /**
     * The fastest of {@code rows} whose recall is at least {@code minRecall}, or empty when none reaches it:
     * the figure that compares two indexes at the same recall.
     */
    public static java.util.Optional<Row> fastestAtRecall(List<Row> rows, double minRecall) {
        return rows.stream().filter(r -> r.recall() >= minRecall).max(java.util.Comparator.comparingDouble(Row::qps));
    }

    /** Searches per second over the time spent in searches, and the median and 99th percentile latency. */
    public record Latencies(double qps, double p50Ms, double p99Ms) {
        static Latencies of(long[] nanos) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            long sum = 0;
            for (long v : sorted) {
                sum += v;
            }
            return new Latencies(sorted.length / (sum / 1e9), percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6);
        }

        private static double percentile(long[] sorted, double q) {
            int index = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }

    /** Progress: the phase and how many of its units are done. */
    @FunctionalInterface
    public interface Listener {
        void progress(String phase, long done, long total);
    }

    /**
     * What is measured after each timed pass of the queries with one {@code numCandidates} (a peer
     * library's pass with the same setting), so that the two take turns a fraction of a second
     * apart and a shared machine's slow and fast seconds fall on both alike.
     */
    @FunctionalInterface
    public interface Beside {
        void measure(int numCandidates) throws IOException;
    }

    private IndexBenchmark() {
    }

    public static Result run(Config c, Listener listener) throws IOException {
        return run(c, listener, numCandidates -> { });
    }

    /** {@link #run(Config, Listener)}, with {@code beside} measured after each timed pass of the queries. */
    public static Result run(Config c, Listener listener, Beside beside) throws IOException {
        int n = c.vectors().size();
        int nq = c.queries().size();
        // the index ranks by cosine: the exact ranking is that of the dot product of unit vectors
        int[][] exact = ExactSearch.topK(c.vectors().normalised(), c.queries().normalised(), c.k(),
                done -> listener.progress("exact top-k", done, nq));
        VectorIndex.deleteIndex(c.dir());
        // A bulk load on several threads writes flat segments, and the merge builds the one graph with every merge
        // worker (docs/RESULTS.md, the Lucene 10 build); on one thread the segment gets its graph as it is written.
        boolean bulk = c.buildThreads() > 1;
        double buildSeconds = 0;
        if (bulk) {
            try (VectorIndex flat = VectorIndex.open(c.dir(), c.vectors().dimension(), c.params().flat())) {
                buildSeconds = build(flat, c.vectors(), c.buildThreads(), !c.filterSelectivities().isEmpty(), listener);
            }
            // Where the threads took turns rather than run side by side (a small set), their shares share one
            // segment, which a merge to one segment leaves as it is, flat: build again the usual way, counting both.
            try (Directory d = FSDirectory.open(c.dir())) {
                if (SegmentInfos.readLatestCommit(d).size() < 2) {
                    VectorIndex.deleteIndex(c.dir());
                    bulk = false;
                }
            }
        }
        try (VectorIndex index = VectorIndex.open(c.dir(), c.vectors().dimension(), c.params())) {
            if (!bulk) {
                buildSeconds += build(index, c.vectors(), c.buildThreads(), !c.filterSelectivities().isEmpty(), listener);
            }
            listener.progress("force merge", 0, 1);
            long start = System.nanoTime();
            index.forceMerge(1);
            index.commit(Map.of());
            double mergeSeconds = (System.nanoTime() - start) / 1e9;
            index.refresh();
            List<Row> rows = new ArrayList<>();
            try (Directory dir = FSDirectory.open(c.dir()); DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher lucene = new IndexSearcher(reader);
                for (int numCandidates : c.numCandidates()) {
                    rows.add(measure(index, lucene, c, exact, numCandidates, listener, beside));
                }
            }
            List<FilteredRow> filtered = new ArrayList<>();
            for (double selectivity : c.filterSelectivities()) {
                filtered.addAll(measureFiltered(index, c, selectivity, listener));
            }
            return new Result(n, c.vectors().dimension(), c.params(), c.buildThreads(), buildSeconds, mergeSeconds,
                    List.copyOf(rows), List.copyOf(filtered));
        }
    }

    /**
     * Adds every vector from {@code threads} threads, each a contiguous share (so each writes segments
     * of its own), and commits; returns the seconds taken.
     */
    private static double build(VectorIndex index, VectorSet vectors, int threads, boolean filters, Listener listener)
            throws IOException {
        int n = vectors.size();
        int d = vectors.dimension();
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        List<Callable<Void>> shares = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            shares.add(() -> {
                float[] v = new float[d];
                for (int i = from; i < to; i++) {
                    System.arraycopy(vectors.data(), i * d, v, 0, d);
                    if (filters) {
                        index.upsert(Integer.toString(i), v, 0L, null, null, Map.of(BUCKET_KEY, Integer.toString(bucket(i))));
                    } else {
                        index.upsert(Integer.toString(i), v, 0L, null);
                    }
                    long all = done.incrementAndGet();
                    if (all % 1000 == 0 || all == n) {
                        synchronized (listener) {
                            listener.progress("index", all, n);
                        }
                    }
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (Future<Void> f : pool.invokeAll(shares)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("building the index failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        index.commit(Map.of());
        return (System.nanoTime() - start) / 1e9;
    }

    private static Row measure(VectorIndex index, IndexSearcher lucene, Config c, int[][] exact, int numCandidates,
                               Listener listener, Beside beside) throws IOException {
        VectorSet queries = c.queries();
        int nq = queries.size();
        int k = c.k();
        float[][] q = new float[nq][];
        for (int i = 0; i < nq; i++) {
            q[i] = queries.get(i);
        }
        String phase = "search num_candidates=" + numCandidates;
        int warmupPasses = Math.max(1, (WARMUP_SEARCHES + nq - 1) / nq);
        long total = (long) (warmupPasses + c.rounds()) * nq;
        double recall = 0;
        for (int i = 0; i < nq; i++) {
            recall += recall(index.search(q[i], k, numCandidates, null), exact[i]);
        }
        long[] latencies = new long[c.rounds() * nq];
        long[] luceneLatencies = new long[c.rounds() * nq];
        long hitsSeen = 0;
        long luceneHitsSeen = 0;
        for (int pass = 0; pass < warmupPasses + c.rounds(); pass++) {
            int round = pass - warmupPasses;
            for (int i = 0; i < nq; i++) {
                // The two sides take turns query by query, on different queries (a repeated query
                // would find its graph nodes in cache), so that a stall of the shared machine
                // falls on either side alike.
                float[] mine = q[i];
                float[] theirs = q[(i + nq / 2) % nq];
                long t0 = System.nanoTime();
                long t1;
                long t2;
                if ((i & 1) == 0) {
                    hitsSeen += index.search(mine, k, numCandidates, null).size();
                    t1 = System.nanoTime();
                    luceneHitsSeen += luceneSearch(lucene, theirs, k, numCandidates);
                    t2 = System.nanoTime();
                } else {
                    luceneHitsSeen += luceneSearch(lucene, theirs, k, numCandidates);
                    t1 = System.nanoTime();
                    hitsSeen += index.search(mine, k, numCandidates, null).size();
                    t2 = System.nanoTime();
                }
                if (round >= 0) {
                    latencies[round * nq + i] = (i & 1) == 0 ? t1 - t0 : t2 - t1;
                    luceneLatencies[round * nq + i] = (i & 1) == 0 ? t2 - t1 : t1 - t0;
                }
            }
            listener.progress(phase, (long) (pass + 1) * nq, total);
            if (round >= 0) {
                beside.measure(numCandidates);
            }
        }
        if (hitsSeen != luceneHitsSeen) {
            throw new IllegalStateException("the index returned " + hitsSeen + " hits, bare Lucene " + luceneHitsSeen);
        }
        return new Row(k, numCandidates, Latencies.of(latencies), Latencies.of(luceneLatencies), recall / nq);
    }

    /** Metadata key of the filtered searches: vector i is in bucket {@link #bucket(int)}. */
    static final String BUCKET_KEY = "bucket";
    /** Buckets of the filtered searches: a filter lets through a whole number of them. */
    static final int BUCKETS = 1000;

    /** A bucket by a hash of the index, so that the buckets cut across the generator's clusters and order. */
    static int bucket(int i) {
        return Math.floorMod(Integer.rotateLeft(i * 0x9E3779B9, 13) * 0x85EBCA6B, BUCKETS);
    }

    /**
     * Searches filtered to {@code selectivity} of the vectors (the buckets below {@code selectivity *}
     * {@value #BUCKETS}) per {@code numCandidates}: their rate on one thread and their recall@k against
     * the exact top k of the vectors that pass the filter.
     */
    private static List<FilteredRow> measureFiltered(VectorIndex index, Config c, double selectivity, Listener listener)
            throws IOException {
        int below = (int) Math.round(selectivity * BUCKETS);
        VectorSet all = c.vectors().normalised();
        int d = all.dimension();
        List<Integer> passing = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (bucket(i) < below) {
                passing.add(i);
            }
        }
        float[] subset = new float[passing.size() * d];
        for (int j = 0; j < passing.size(); j++) {
            System.arraycopy(all.data(), passing.get(j) * d, subset, j * d, d);
        }
        int nq = c.queries().size();
        String phase = String.format(java.util.Locale.ROOT, "filtered %.3f exact top-k", selectivity);
        int[][] exactLocal = ExactSearch.topK(new VectorSet(d, subset), c.queries().normalised(), c.k(),
                done -> listener.progress(phase, done, nq));
        List<io.planstream.index.filter.Filter> filters = List.of(
                io.planstream.index.filter.Filter.parse(BUCKET_KEY + ":[0 TO " + (below - 1) + "]"));
        List<FilteredRow> rows = new ArrayList<>();
        for (int numCandidates : c.numCandidates()) {
            VectorIndex.KnnRequest request = new VectorIndex.KnnRequest(c.k(), numCandidates, 0, null, filters, null);
            int passes = 1 + c.rounds();
            long[] latencies = new long[c.rounds() * nq];
            double recall = 0;
            String searchPhase = String.format(java.util.Locale.ROOT, "filtered %.3f num_candidates=%d", selectivity, numCandidates);
            for (int pass = 0; pass < passes; pass++) {
                for (int i = 0; i < nq; i++) {
                    long t0 = System.nanoTime();
                    List<VectorIndex.Hit> hits = index.search(c.queries().get(i), request);
                    long t = System.nanoTime() - t0;
                    if (pass == 0) {
                        int[] truth = new int[exactLocal[i].length];
                        for (int j = 0; j < truth.length; j++) {
                            truth[j] = passing.get(exactLocal[i][j]);
                        }
                        recall += recall(hits, truth);
                    } else {
                        latencies[(pass - 1) * nq + i] = t;
                    }
                }
                listener.progress(searchPhase, (long) (pass + 1) * nq, (long) passes * nq);
            }
            rows.add(new FilteredRow(selectivity, numCandidates, Latencies.of(latencies), recall / nq));
        }
        return rows;
    }

    /** The bare Lucene search the index layer is compared with: the top k of numCandidates, ids not read. */
    private static int luceneSearch(IndexSearcher searcher, float[] query, int k, int numCandidates) throws IOException {
        return searcher.search(new KnnFloatVectorQuery(VectorIndex.VECTOR_FIELD, query, numCandidates), k).scoreDocs.length;
    }

    /** |approximate top k ∩ exact top k| / |exact top k|. */
    static double recall(List<VectorIndex.Hit> hits, int[] exact) {
        int[] found = new int[hits.size()];
        for (int i = 0; i < found.length; i++) {
            found[i] = Integer.parseInt(hits.get(i).id());
        }
        int[] truth = exact.clone();
        Arrays.sort(found);
        Arrays.sort(truth);
        int common = 0;
        for (int i = 0, j = 0; i < found.length && j < truth.length; ) {
            if (found[i] == truth[j]) {
                common++;
                i++;
                j++;
            } else if (found[i] < truth[j]) {
                i++;
            } else {
                j++;
            }
        }
        return truth.length == 0 ? 1 : (double) common / truth.length;
    }
}
