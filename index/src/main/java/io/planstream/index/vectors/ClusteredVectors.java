package io.planstream.index.vectors;

import java.util.SplittableRandom;

/**
 * Seeded unit vectors that cluster the way embeddings do: a Gaussian mixture on the sphere.
 * {@code clusters} centres are random unit vectors; a point is a random centre plus Gaussian noise
 * of expected length {@code spread}, normalised. The cosine similarity of a point to its centre is
 * then about {@code 1 / sqrt(1 + spread^2)}, and of two points of one cluster about
 * {@code 1 / (1 + spread^2)}; points of different clusters are nearly orthogonal.
 *
 * <p>The same generator samples the data and the queries, from the same centres, with different
 * seeds: a query is a new image of a kind the index has seen.
 */
public final class ClusteredVectors {

    /**
     * Default noise length. At 0.8 a point keeps a similarity of about 0.78 to its centre and 0.61 to
     * the other points of its cluster; with 100,000 points in 316 clusters of 128 dimensions a
     * query's nearest neighbour lies at 0.72 and its tenth at 0.68. The noise is isotropic, so the
     * data fills all 128 dimensions (99 % of the variance needs 126 principal components): harder
     * for a graph search than real embeddings, whose variance sits in few directions (SimCLR
     * resnet-mini features of Fashion-MNIST: 8 components hold 90 %, the tenth neighbour lies at
     * 0.99). A benchmark on this data errs on the pessimistic side; docs/RESULTS.md has both.
     */
    public static final double DEFAULT_SPREAD = 0.8;

    private final int dimension;
    private final double spread;
    private final float[] centres;
    private final int clusters;

    /** Centres drawn from {@code seed}. */
    public ClusteredVectors(int dimension, int clusters, double spread, long seed) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        if (clusters < 1) {
            throw new IllegalArgumentException("clusters must be at least 1, got " + clusters);
        }
        if (!(spread >= 0) || Double.isInfinite(spread)) {
            throw new IllegalArgumentException("spread must be finite and >= 0, got " + spread);
        }
        this.dimension = dimension;
        this.clusters = clusters;
        this.spread = spread;
        this.centres = new float[clusters * dimension];
        SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < clusters; c++) {
            double[] v = new double[dimension];
            for (int j = 0; j < dimension; j++) {
                v[j] = random.nextGaussian();
            }
            store(v, centres, c * dimension);
        }
    }

    /** The square root of {@code count} clusters, at least one: clusters of about that many points. */
    public static int defaultClusters(int count) {
        return Math.max(1, (int) Math.round(Math.sqrt(count)));
    }

    /** {@code count} points, each of a uniformly chosen cluster. */
    public VectorSet sample(int count, long seed) {
        if (count < 0 || (long) count * dimension > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot hold " + count + " vectors of " + dimension + " dimensions");
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[count * dimension];
        double[] v = new double[dimension];
        double noise = spread / Math.sqrt(dimension);
        for (int i = 0; i < count; i++) {
            int c = random.nextInt(clusters) * dimension;
            for (int j = 0; j < dimension; j++) {
                v[j] = centres[c + j] + noise * random.nextGaussian();
            }
            store(v, data, i * dimension);
        }
        return new VectorSet(dimension, data);
    }

    /** Writes {@code v} normalised into {@code out} at {@code offset}; a zero vector (vanishingly rare) becomes the first axis. */
    private static void store(double[] v, float[] out, int offset) {
        double sum = 0;
        for (double x : v) {
            sum += x * x;
        }
        if (sum == 0) {
            out[offset] = 1;
            return;
        }
        double scale = 1 / Math.sqrt(sum);
        for (int j = 0; j < v.length; j++) {
            out[offset + j] = (float) (v[j] * scale);
        }
    }

    public int dimension() {
        return dimension;
    }

    public int clusters() {
        return clusters;
    }

    public double spread() {
        return spread;
    }
}
