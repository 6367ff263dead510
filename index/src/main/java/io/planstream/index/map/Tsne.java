package io.planstream.index.map;

import java.util.Random;

/**
 * Exact t-SNE (van der Maaten and Hinton, "Visualizing Data using t-SNE", JMLR 2008) down to two
 * dimensions, for the web page's embedding map, as the SimCLR reproduction drew its features.
 *
 * <p>Exact, O(n^2) per iteration, and so bounded to {@link #MAX_POINTS}: at 2,000 points one run is
 * a few seconds on one core, and the map samples anyway. Hand-written because no t-SNE on Maven
 * Central is both maintained and free of a native or Scala runtime; this one follows the reference
 * implementation's schedule: perplexity calibrated by bisection per point, symmetrised affinities,
 * early exaggeration 12 for the first 250 iterations, momentum 0.5 then 0.8, per-coordinate gains,
 * and a start from the PCA projection (scaled to a standard deviation of 1e-4) so that a run is
 * deterministic and the global layout follows the principal axes.
 */
public final class Tsne {

    public static final int MAX_POINTS = 2000;
    public static final double DEFAULT_PERPLEXITY = 30;
    static final int ITERATIONS = 750;
    private static final int EXAGGERATION_ITERATIONS = 250;
    private static final double EXAGGERATION = 12;
    private static final double MIN_GAIN = 0.01;

    private Tsne() {
    }

    /**
     * The 2-D t-SNE map of {@code points} (all of one dimension, 1 to {@link #MAX_POINTS}), starting from
     * {@code start} (n x 2, e.g. the PCA projection).
     */
    public static double[][] embed(double[][] points, double[][] start, double perplexity) {
        int n = points.length;
        if (n < 1 || n > MAX_POINTS) {
            throw new IllegalArgumentException("t-SNE takes 1 to " + MAX_POINTS + " points, got " + n);
        }
        if (start.length != n) {
            throw new IllegalArgumentException("start has " + start.length + " points, the data " + n);
        }
        double[][] y = new double[n][2];
        if (n < 3) {
            return y;
        }
        double[] p = affinities(points, Math.max(1, Math.min(perplexity, (n - 1) / 3.0)));
        initialise(y, start);
        double[][] update = new double[n][2];
        double[][] gains = new double[n][2];
        for (double[] g : gains) {
            g[0] = 1;
            g[1] = 1;
        }
        double rate = Math.max(n / EXAGGERATION / 4, 50);
        double[] num = new double[n * n];
        double[][] grad = new double[n][2];
        for (int it = 0; it < ITERATIONS; it++) {
            double exaggeration = it < EXAGGERATION_ITERATIONS ? EXAGGERATION : 1;
            double momentum = it < EXAGGERATION_ITERATIONS ? 0.5 : 0.8;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    double dx = y[i][0] - y[j][0];
                    double dy = y[i][1] - y[j][1];
                    double q = 1 / (1 + dx * dx + dy * dy);
                    num[i * n + j] = q;
                    num[j * n + i] = q;
                    sum += 2 * q;
                }
            }
            for (int i = 0; i < n; i++) {
                double gx = 0;
                double gy = 0;
                for (int j = 0; j < n; j++) {
                    if (i == j) {
                        continue;
                    }
                    double q = num[i * n + j];
                    double f = (exaggeration * p[i * n + j] - Math.max(q / sum, 1e-12)) * q;
                    gx += f * (y[i][0] - y[j][0]);
                    gy += f * (y[i][1] - y[j][1]);
                }
                grad[i][0] = 4 * gx;
                grad[i][1] = 4 * gy;
            }
            for (int i = 0; i < n; i++) {
                for (int d = 0; d < 2; d++) {
                    boolean sameSign = (grad[i][d] > 0) == (update[i][d] > 0);
                    gains[i][d] = Math.max(MIN_GAIN, sameSign ? gains[i][d] * 0.8 : gains[i][d] + 0.2);
                    update[i][d] = momentum * update[i][d] - rate * gains[i][d] * grad[i][d];
                    y[i][d] += update[i][d];
                }
            }
            centre(y);
        }
        return y;
    }

    /** Symmetrised joint probabilities p_ij, each point's Gaussian calibrated to {@code perplexity}. */
    static double[] affinities(double[][] x, double perplexity) {
        int n = x.length;
        double[] dist = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int k = 0; k < x[i].length; k++) {
                    double d = x[i][k] - x[j][k];
                    s += d * d;
                }
                dist[i * n + j] = s;
                dist[j * n + i] = s;
            }
        }
        double[] conditional = new double[n * n];
        double target = Math.log(perplexity);
        double[] row = new double[n];
        for (int i = 0; i < n; i++) {
            double beta = 1;
            double lo = 0;
            double hi = Double.POSITIVE_INFINITY;
            for (int step = 0; step < 100; step++) {
                double entropy = rowEntropy(dist, i, n, beta, row);
                if (Math.abs(entropy - target) < 1e-5) {
                    break;
                }
                if (entropy > target) {
                    lo = beta;
                    beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
                } else {
                    hi = beta;
                    beta = (beta + lo) / 2;
                }
            }
            System.arraycopy(row, 0, conditional, i * n, n);
        }
        double[] p = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                p[i * n + j] = Math.max((conditional[i * n + j] + conditional[j * n + i]) / (2.0 * n), 1e-12);
            }
            p[i * n + i] = 0;
        }
        return p;
    }

    /** Fills {@code row} with p_{j|i} at precision {@code beta} and answers its entropy (nats). */
    private static double rowEntropy(double[] dist, int i, int n, double beta, double[] row) {
        // Distances are shifted by the smallest so that exp() never underflows to an all-zero row.
        double min = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (j != i) {
                min = Math.min(min, dist[i * n + j]);
            }
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            row[j] = j == i ? 0 : Math.exp(-(dist[i * n + j] - min) * beta);
            sum += row[j];
        }
        double h = 0;
        for (int j = 0; j < n; j++) {
            row[j] /= sum;
            if (row[j] > 1e-300) {
                h -= row[j] * Math.log(row[j]);
            }
        }
        return h;
    }

    private static void initialise(double[][] y, double[][] start) {
        int n = y.length;
        double var = 0;
        for (int i = 0; i < n; i++) {
            y[i][0] = start[i][0];
            y[i][1] = start[i][1];
        }
        centre(y);
        for (double[] v : y) {
            var += (v[0] * v[0] + v[1] * v[1]) / (2.0 * n);
        }
        double scale = var > 0 ? 1e-4 / Math.sqrt(var) : 0;
        Random random = new Random(n);
        for (double[] v : y) {
            v[0] = scale > 0 ? v[0] * scale : 1e-4 * random.nextGaussian();
            v[1] = scale > 0 ? v[1] * scale : 1e-4 * random.nextGaussian();
        }
    }

    private static void centre(double[][] y) {
        double mx = 0;
        double my = 0;
        for (double[] v : y) {
            mx += v[0] / y.length;
            my += v[1] / y.length;
        }
        for (double[] v : y) {
            v[0] -= mx;
            v[1] -= my;
        }
    }
}
