package io.planstream.simclr.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weighted k-nearest-neighbour classification of frozen features, as in Wu et al., "Unsupervised
 * Feature Learning via Non-Parametric Instance Discrimination" (CVPR 2018) and the SimCLR-era
 * monitors: features are L2-normalised, the k training rows of highest cosine similarity s_i vote
 * for their class with weight exp(s_i / T), and the class with the largest sum wins (ties to the
 * lower class index). Defaults k = 200, T = 0.07.
 *
 * <p>Similarities come from matrix products of a chunk of test rows with all training rows, on the
 * engine; a chunk is sized so that its similarity matrix stays under {@link #MAX_CHUNK_ELEMENTS}
 * floats (64 MB), so memory is bounded whatever the sizes. Callers' features are never changed:
 * they are copied before normalising.
 *
 * <p>{@link #leaveOneOut} scores one unsplit set, every row against all the others: the measure of
 * a held-out set that has no training split of its own.
 */
public final class KnnEvaluation {

    public static final int DEFAULT_K = 200;
    /** k beyond this would be a ranking of the whole set, not a neighbourhood. */
    public static final int MAX_K = 10_000;
    public static final double DEFAULT_TEMPERATURE = 0.07;
    static final long MAX_CHUNK_ELEMENTS = 1L << 24;
    /** Taken off a row's similarity with itself: below any cosine, so the row never votes for itself. */
    private static final float SELF_PENALTY = 4f;

    /**
     * @param k neighbours that vote, 1 to {@link #MAX_K}; with fewer training rows, all of them vote
     * @param temperature T in exp(s / T), > 0
     */
    public record Options(int k, double temperature) {

        public Options {
            if (k < 1 || k > MAX_K) {
                throw new IllegalArgumentException("k must be in [1, " + MAX_K + "], got " + k);
            }
            if (!(temperature > 0) || !Double.isFinite(temperature)) {
                throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
            }
        }

        public static Options defaults() {
            return new Options(DEFAULT_K, DEFAULT_TEMPERATURE);
        }
    }

    private KnnEvaluation() {
    }

    /**
     * @param train the labelled neighbours
     * @param test the rows to classify
     * @param options k and temperature
     * @param manager the arrays live under a sub-manager of it, freed on return
     * @return top-1 (and top-5) accuracy on {@code test}
     */
    public static EvalResult run(Features train, Features test, Options options, NDManager manager) {
        LinearEvaluation.check(train, test);
        long start = System.nanoTime();
        int classes = Math.max(train.numClasses(), test.numClasses());
        double[] scores = classScores(train, test, options, manager);
        Accuracy acc = Accuracy.of(scores, test.labels(), classes);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("k", effectiveK(options, train));
        params.put("temperature", options.temperature());
        params.put("similarity", "cosine");
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EvalResult(Protocol.KNN, acc.top1(), acc.top5(), train.count(), test.count(), train.dim(), seconds,
                params);
    }

    /**
     * Leave-one-out: every row is classified by its k nearest among the other rows.
     *
     * @param features at least two labelled rows
     * @param options k and temperature; with fewer than k + 1 rows, all the others vote
     * @param manager the arrays live under a sub-manager of it, freed on return
     * @return top-1 (and top-5) accuracy over all rows; {@code nTrain} is the rows each one is
     *     compared with
     */
    public static EvalResult leaveOneOut(Features features, Options options, NDManager manager) {
        return leaveOneOut(features, options, MAX_CHUNK_ELEMENTS, manager);
    }

    /** @param maxChunkElements bounds the similarities computed at a time */
    static EvalResult leaveOneOut(Features features, Options options, long maxChunkElements, NDManager manager) {
        if (features.count() < 2) {
            throw new IllegalArgumentException(
                    "leave-one-out needs at least 2 rows, got " + features.count());
        }
        long start = System.nanoTime();
        int k = Math.min(options.k(), features.count() - 1);
        double[] scores = scores(features, features, k, options.temperature(), true, maxChunkElements,
                manager);
        Accuracy acc = Accuracy.of(scores, features.labels(), features.numClasses());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("k", k);
        params.put("temperature", options.temperature());
        params.put("similarity", "cosine");
        params.put("leave_one_out", true);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EvalResult(Protocol.KNN, acc.top1(), acc.top5(), features.count() - 1, features.count(),
                features.dim(), seconds, params);
    }

    /** @return the number of neighbours that actually vote */
    public static int effectiveK(Options options, Features train) {
        return Math.min(options.k(), train.count());
    }

    /**
     * The votes: for each test row and class, the sum of exp(s / T) over its k nearest training
     * rows of that class.
     *
     * @return {@code test.count() * classes} sums, row after row
     */
    public static double[] classScores(Features train, Features test, Options options, NDManager manager) {
        LinearEvaluation.check(train, test);
        return scores(train, test, effectiveK(options, train), options.temperature(), false, MAX_CHUNK_ELEMENTS,
                manager);
    }

    /** @param skipSelf test row i is train row i, which must not vote for itself */
    private static double[] scores(Features train, Features test, int k, double temperature, boolean skipSelf,
                                   long maxChunkElements, NDManager manager) {
        int classes = Math.max(train.numClasses(), test.numClasses());
        int n = train.count();
        int d = train.dim();
        int chunk = (int) Math.max(1, Math.min(test.count(), maxChunkElements / n));
        double[] scores = new double[test.count() * classes];
        int[] trainLabels = train.labels();
        try (NDManager m = manager.newSubManager()) {
            NDArray bank = m.create(normalised(train.values(), n, d), new Shape(n, d)).transpose();
            for (int from = 0; from < test.count(); from += chunk) {
                int rows = Math.min(chunk, test.count() - from);
                float[] q = normalised(java.util.Arrays.copyOfRange(test.values(), from * d, (from + rows) * d), rows, d);
                float[] sims;
                long[] idx;
                try (NDManager c = m.newSubManager()) {
                    NDArray query = c.create(q, new Shape(rows, d));
                    NDArray similarity = query.matMul(bank);
                    if (skipSelf) {
                        similarity = similarity.sub(diagonal(c, from, rows, n).mul(SELF_PENALTY));
                    }
                    NDList top = similarity.topK(k, 1, true, true);
                    sims = top.get(0).toFloatArray();
                    idx = top.get(1).toLongArray();
                }
                for (int r = 0; r < rows; r++) {
                    int base = (from + r) * classes;
                    for (int j = 0; j < k; j++) {
                        int neighbour = (int) idx[r * k + j];
                        scores[base + trainLabels[neighbour]] += Math.exp(sims[r * k + j] / temperature);
                    }
                }
            }
        }
        return scores;
    }

    /**
     * The rows {@code [from, from + rows)} of the n x n identity: marks each row of a chunk of a
     * set's similarities with itself. (PyTorch's eye has no diagonal offset in DJL.)
     *
     * @return a FLOAT32 (rows, n) array on {@code manager}
     */
    static NDArray diagonal(NDManager manager, int from, int rows, int n) {
        NDList parts = new NDList();
        if (from > 0) {
            parts.add(manager.zeros(new Shape(rows, from)));
        }
        parts.add(manager.eye(rows));
        if (from + rows < n) {
            parts.add(manager.zeros(new Shape(rows, n - from - rows)));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
    }

    /** @return L2-normalised copies of the rows; a zero row stays zero */
    static float[] normalised(float[] values, int rows, int dim) {
        float[] out = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int j = 0; j < dim; j++) {
                double v = values[r * dim + j];
                sq += v * v;
            }
            double scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
            for (int j = 0; j < dim; j++) {
                out[r * dim + j] = (float) (values[r * dim + j] * scale);
            }
        }
        return out;
    }
}
