package io.planstream.simclr.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Retrieval of plans whose ground truth is known: every plan in turn is a query against all the
 * others (leave-one-out), ranked by cosine similarity, ties to the lower index. A plan's ground truth
 * is its room programme, a map room category -&gt; count.
 *
 * <ul>
 *   <li>mAP@k and P@k: a hit is relevant when it has the same programme (the same count of every
 *   category). AP@k = (1 / min(R, k)) * sum over ranks i &lt;= k of P@i * rel_i, with R the relevant
 *   plans in the gallery; queries with R = 0 are left out of both and counted.</li>
 *   <li>nDCG@k with graded relevance g = sum_c min(a_c, b_c) / max(sum_c a_c, sum_c b_c), DCG = sum_i
 *   g_i / log2(i + 1), the ideal DCG from the k best gains in the gallery.</li>
 *   <li>The cosines of relevant and of irrelevant pairs (mean, standard deviation) and the AUC, the
 *   probability that a relevant pair scores above an irrelevant one, ties one half: the Mann-Whitney U
 *   from the ranks of all pairs, or of a seeded Bernoulli sample of about
 *   {@link Options#maxExactPairs()} pairs where there are more; and histograms of both over
 *   {@link #HISTOGRAM_BINS} bins of [-1, 1], from all pairs ({@link ScorePlot} draws them).</li>
 *   <li>Invariance: how often a transformed copy of a plan (rotated, mirrored) finds the plan itself
 *   first among all the originals.</li>
 * </ul>
 *
 * <p>Where the gallery (the other N - 1 plans) is smaller than k, the lists are cut at N - 1 and P@k
 * divides by N - 1. Callers' features are never changed: they are copied before normalising. The
 * similarities are computed one query row at a time in plain Java, so memory stays at O(N) plus the
 * pairs kept for the AUC.
 */
public final class RetrievalEvaluation {

    public static final int DEFAULT_K = 10;
    /** k beyond this would be a ranking of the whole set, not the first page of results. */
    public static final int MAX_K = 1000;
    /** About 32 MB of pair scores: the AUC is exact below it and sampled above it (about 2,900 plans). */
    public static final long DEFAULT_MAX_EXACT_PAIRS = 1L << 22;
    /** Bins of the score histograms over [-1, 1]: 0.05 wide. */
    public static final int HISTOGRAM_BINS = 40;
    /** Pair scores are kept in Java arrays: 2 GB of them at most. */
    public static final long MAX_EXACT_PAIRS = 1L << 28;

    /**
     * @param k the cut of the ranked lists, 1 to {@link #MAX_K}
     * @param maxExactPairs the AUC ranks all pairs up to this many, and a sample of about this many beyond
     * @param seed of that sample
     */
    public record Options(int k, long maxExactPairs, long seed) {

        public Options {
            if (k < 1 || k > MAX_K) {
                throw new IllegalArgumentException("k must be in [1, " + MAX_K + "], got " + k);
            }
            if (maxExactPairs < 2 || maxExactPairs > MAX_EXACT_PAIRS) {
                throw new IllegalArgumentException("maxExactPairs must be in [2, " + MAX_EXACT_PAIRS + "], got "
                        + maxExactPairs);
            }
        }

        public static Options defaults(long seed) {
            return new Options(DEFAULT_K, DEFAULT_MAX_EXACT_PAIRS, seed);
        }
    }

    /**
     * Transformed copies of some of the plans, for the invariance rate.
     *
     * @param values {@code originalOf.length * dim} floats, row after row, of the gallery's dimension
     * @param originalOf for each copy, the index of the plan it was made from
     */
    public record Copies(float[] values, int[] originalOf) {

        public Copies {
            if (values == null || originalOf == null) {
                throw new IllegalArgumentException("copies need values and originalOf");
            }
        }

        public static Copies none() {
            return new Copies(new float[0], new int[0]);
        }
    }

    private RetrievalEvaluation() {
    }

    /**
     * @param features {@code programmes.size() * dim} floats, one row per plan; need not be normalised
     * @param dim length of every row
     * @param programmes each plan's room programme: category -&gt; count &gt;= 0 (zero counts are ignored)
     * @param copies transformed copies of the plans, or {@link Copies#none()}
     * @param options k, and how the AUC is computed
     * @return the figures; see {@link RetrievalResult}
     * @throws IllegalArgumentException on fewer than two plans, mismatched lengths, non-finite values,
     *     negative counts or copies of plans that are not there
     */
    public static RetrievalResult run(float[] features, int dim, List<Map<String, Integer>> programmes, Copies copies,
                                      Options options) {
        long start = System.nanoTime();
        int n = check(features, dim, programmes, copies);
        float[] x = KnnEvaluation.normalised(features, n, dim);
        Programmes p = Programmes.of(programmes);
        int cut = Math.min(options.k(), n - 1);
        long totalPairs = (long) n * (n - 1) / 2;
        boolean sampled = totalPairs > options.maxExactPairs();
        double keep = sampled ? (double) options.maxExactPairs() / totalPairs : 1;
        SplittableRandom random = new SplittableRandom(options.seed());
        PairScores pairs = new PairScores((int) Math.min(totalPairs, options.maxExactPairs()));

        double apSum = 0;
        double precisionSum = 0;
        int leftOut = 0;
        double ndcgSum = 0;
        int ndcgLeftOut = 0;
        double[] sims = new double[n];
        int[] top = new int[cut];
        double[] idealGains = new double[cut];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                sims[j] = j == i ? Double.NaN : dot(x, i * dim, x, j * dim, dim);
            }
            for (int j = i + 1; j < n; j++) {
                boolean relevant = p.same(i, j);
                pairs.count(sims[j], relevant);
                if (!sampled || random.nextDouble() < keep) {
                    pairs.add(sims[j], relevant);
                }
            }
            topK(sims, i, top);
            int relevantInGallery = p.sizeOfGroup(i) - 1;
            if (relevantInGallery == 0) {
                leftOut++;
            } else {
                int hits = 0;
                double ap = 0;
                for (int r = 0; r < cut; r++) {
                    if (p.same(i, top[r])) {
                        hits++;
                        ap += (double) hits / (r + 1);
                    }
                }
                apSum += ap / Math.min(relevantInGallery, cut);
                precisionSum += (double) hits / cut;
            }
            double ideal = dcg(bestGains(p, i, idealGains));
            if (ideal > 0) {
                double[] gains = new double[cut];
                for (int r = 0; r < cut; r++) {
                    gains[r] = p.gain(i, top[r]);
                }
                ndcgSum += dcg(gains) / ideal;
            } else {
                ndcgLeftOut++;
            }
        }
        int queried = n - leftOut;
        double map = queried == 0 ? Double.NaN : apSum / queried;
        double precision = queried == 0 ? Double.NaN : precisionSum / queried;
        double ndcg = n == ndcgLeftOut ? Double.NaN : ndcgSum / (n - ndcgLeftOut);
        double invariance = invariance(x, n, dim, copies);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new RetrievalResult(cut, map, precision, ndcg, pairs.auc(), sampled, pairs.kept(),
                pairs.mean(true), pairs.std(true), pairs.mean(false), pairs.std(false), pairs.total(true),
                pairs.total(false), invariance, copies.originalOf().length, n, leftOut, ndcgLeftOut, dim, seconds,
                pairs.histogram(true), pairs.histogram(false));
    }

    /** @return the number of plans */
    private static int check(float[] features, int dim, List<Map<String, Integer>> programmes, Copies copies) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (features == null || programmes == null) {
            throw new IllegalArgumentException("features and programmes must be given");
        }
        int n = programmes.size();
        if ((long) n * dim != features.length) {
            throw new IllegalArgumentException("need one feature row of " + dim + " per programme: " + n + " programmes, "
                    + features.length + " floats");
        }
        if (n < 2) {
            throw new IllegalArgumentException("retrieval needs at least 2 plans, got " + n);
        }
        requireFinite("feature", features, dim);
        int m = copies.originalOf().length;
        if ((long) m * dim != copies.values().length) {
            throw new IllegalArgumentException("need one copy row of " + dim + " per original index: " + m + " indices, "
                    + copies.values().length + " floats");
        }
        requireFinite("copy feature", copies.values(), dim);
        for (int c = 0; c < m; c++) {
            int o = copies.originalOf()[c];
            if (o < 0 || o >= n) {
                throw new IllegalArgumentException("copy " + c + " is of plan " + o + ", not in [0, " + n + ")");
            }
        }
        return n;
    }

    private static void requireFinite(String what, float[] values, int dim) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " " + i % dim + " of row " + i / dim + " is " + values[i]);
            }
        }
    }

    /** The first {@code top.length} of {@code sims}, best first, ties to the lower index; NaN marks the query. */
    static void topK(double[] sims, int self, int[] top) {
        int filled = 0;
        for (int j = 0; j < sims.length; j++) {
            if (j == self) {
                continue;
            }
            double s = sims[j];
            // Strictly better only: an equal score found later has the higher index and stays behind.
            if (filled == top.length && !(s > sims[top[filled - 1]])) {
                continue;
            }
            int pos = Math.min(filled, top.length - 1);
            while (pos > 0 && s > sims[top[pos - 1]]) {
                top[pos] = top[pos - 1];
                pos--;
            }
            top[pos] = j;
            filled = Math.min(filled + 1, top.length);
        }
    }

    /** @return the {@code out.length} highest gains of plan i against the others, best first */
    private static double[] bestGains(Programmes p, int i, double[] out) {
        Arrays.fill(out, 0);
        for (int j = 0; j < p.size(); j++) {
            if (j == i) {
                continue;
            }
            double g = p.gain(i, j);
            int pos = out.length;
            while (pos > 0 && g > out[pos - 1]) {
                pos--;
            }
            if (pos < out.length) {
                System.arraycopy(out, pos, out, pos + 1, out.length - pos - 1);
                out[pos] = g;
            }
        }
        return out;
    }

    /** Rank i (from 1) is discounted by log2(i + 1). */
    static double dcg(double[] gains) {
        double sum = 0;
        for (int r = 0; r < gains.length; r++) {
            sum += gains[r] / (Math.log(r + 2) / Math.log(2));
        }
        return sum;
    }

    /** @return the fraction of copies whose nearest original (ties to the lower index) is their own */
    private static double invariance(float[] x, int n, int dim, Copies copies) {
        int m = copies.originalOf().length;
        if (m == 0) {
            return Double.NaN;
        }
        float[] q = KnnEvaluation.normalised(copies.values(), m, dim);
        int hits = 0;
        for (int c = 0; c < m; c++) {
            int best = 0;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double s = dot(q, c * dim, x, j * dim, dim);
                if (s > bestSim) {
                    bestSim = s;
                    best = j;
                }
            }
            hits += best == copies.originalOf()[c] ? 1 : 0;
        }
        return (double) hits / m;
    }

    private static double dot(float[] a, int aFrom, float[] b, int bFrom, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            s += (double) a[aFrom + d] * b[bFrom + d];
        }
        return s;
    }

    /** The programmes as ids (equal programmes, equal id) and as count vectors over all categories. */
    private record Programmes(int[] id, int[] groupSize, int[][] counts, int[] totals) {

        static Programmes of(List<Map<String, Integer>> programmes) {
            int n = programmes.size();
            List<TreeMap<String, Integer>> canonical = new ArrayList<>(n);
            Map<String, Integer> categories = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                Map<String, Integer> programme = programmes.get(i);
                if (programme == null) {
                    throw new IllegalArgumentException("programme " + i + " is missing");
                }
                TreeMap<String, Integer> c = new TreeMap<>();
                for (Map.Entry<String, Integer> e : programme.entrySet()) {
                    if (e.getKey() == null || e.getValue() == null || e.getValue() < 0) {
                        throw new IllegalArgumentException("programme " + i + " has a bad entry " + e.getKey() + " = "
                                + e.getValue() + ": counts must be >= 0");
                    }
                    if (e.getValue() > 0) {
                        c.put(e.getKey(), e.getValue());
                        categories.putIfAbsent(e.getKey(), 0);
                    }
                }
                canonical.add(c);
            }
            int col = 0;
            for (Map.Entry<String, Integer> e : categories.entrySet()) {
                e.setValue(col++);
            }
            Map<TreeMap<String, Integer>, Integer> ids = new HashMap<>();
            int[] id = new int[n];
            int[][] counts = new int[n][categories.size()];
            int[] totals = new int[n];
            for (int i = 0; i < n; i++) {
                TreeMap<String, Integer> c = canonical.get(i);
                id[i] = ids.computeIfAbsent(c, key -> ids.size());
                for (Map.Entry<String, Integer> e : c.entrySet()) {
                    counts[i][categories.get(e.getKey())] = e.getValue();
                    totals[i] += e.getValue();
                }
            }
            int[] groupSize = new int[ids.size()];
            for (int g : id) {
                groupSize[g]++;
            }
            return new Programmes(id, groupSize, counts, totals);
        }

        int size() {
            return id.length;
        }

        boolean same(int i, int j) {
            return id[i] == id[j];
        }

        int sizeOfGroup(int i) {
            return groupSize[id[i]];
        }

        /** Overlap in [0, 1]: 1 for the same programme (two empty ones included), 0 when nothing is shared. */
        double gain(int i, int j) {
            int larger = Math.max(totals[i], totals[j]);
            if (larger == 0) {
                return 1;
            }
            int shared = 0;
            for (int c = 0; c < counts[i].length; c++) {
                shared += Math.min(counts[i][c], counts[j][c]);
            }
            return (double) shared / larger;
        }
    }

    /** Moments of all pair scores by relevance, and the scores kept for the AUC. */
    private static final class PairScores {

        private final long[] count = new long[2];
        private final double[] sum = new double[2];
        private final double[] sumSq = new double[2];
        private final double[][] kept = new double[2][];
        private final int[] size = new int[2];
        private final long[][] histogram = new long[2][HISTOGRAM_BINS];

        PairScores(int capacity) {
            kept[0] = new double[Math.max(capacity, 16)];
            kept[1] = new double[16];
        }

        void count(double s, boolean rel) {
            int g = rel ? 1 : 0;
            count[g]++;
            sum[g] += s;
            sumSq[g] += s * s;
            histogram[g][bin(s)]++;
        }

        /** Bin i holds [-1 + i w, -1 + (i + 1) w), w = 2 / bins; a cosine of 1 falls into the last. */
        static int bin(double s) {
            int b = (int) Math.floor((s + 1) / 2 * HISTOGRAM_BINS);
            return Math.max(0, Math.min(HISTOGRAM_BINS - 1, b));
        }

        long[] histogram(boolean rel) {
            return histogram[rel ? 1 : 0].clone();
        }

        void add(double s, boolean rel) {
            int g = rel ? 1 : 0;
            if (size[g] == kept[g].length) {
                kept[g] = Arrays.copyOf(kept[g], kept[g].length * 2);
            }
            // + 0.0 turns -0.0 into 0.0, which the sort would otherwise place below it.
            kept[g][size[g]++] = s + 0.0;
        }

        long kept() {
            return (long) size[0] + size[1];
        }

        long total(boolean rel) {
            return count[rel ? 1 : 0];
        }

        double mean(boolean rel) {
            int g = rel ? 1 : 0;
            return count[g] == 0 ? Double.NaN : sum[g] / count[g];
        }

        double std(boolean rel) {
            int g = rel ? 1 : 0;
            if (count[g] == 0) {
                return Double.NaN;
            }
            double m = sum[g] / count[g];
            return Math.sqrt(Math.max(0, sumSq[g] / count[g] - m * m));
        }

        /** Mann-Whitney U over (relevant, irrelevant) pairs of kept scores, a tie counting one half. */
        double auc() {
            double[] irrelevant = Arrays.copyOf(kept[0], size[0]);
            double[] relevant = Arrays.copyOf(kept[1], size[1]);
            if (relevant.length == 0 || irrelevant.length == 0) {
                return Double.NaN;
            }
            Arrays.sort(irrelevant);
            Arrays.sort(relevant);
            double u = 0;
            int below = 0;
            for (double r : relevant) {
                while (below < irrelevant.length && irrelevant[below] < r) {
                    below++;
                }
                int equal = below;
                while (equal < irrelevant.length && irrelevant[equal] == r) {
                    equal++;
                }
                u += below + (equal - below) / 2.0;
            }
            return u / ((double) relevant.length * irrelevant.length);
        }
    }
}
