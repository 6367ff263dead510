package io.planstream.index.map;

import java.util.List;
import java.util.Random;

/**
 * Principal component analysis down to two dimensions, for the web page's embedding map.
 *
 * <p>Hand-written rather than a library: the map needs the top two components of at most 10,000
 * vectors, which power iteration on the centred data gives in O(iterations x n x d) without ever
 * forming the d x d covariance matrix (a 2048-dimensional ResNet-50 feature would make that 4M
 * entries and 40G multiply-adds at 10k images), and a linear-algebra dependency would be pulled into
 * the server for these forty lines.
 */
public final class Projection {

    /** Power iterations per component; the relative change is checked against {@link #TOLERANCE} first. */
    static final int MAX_ITERATIONS = 200;
    static final double TOLERANCE = 1e-9;

    /**
     * @param xy        the projected points, one (x, y) per input vector, in input order
     * @param axes      the two unit principal directions
     * @param explained the share of the total variance along each axis, in [0, 1]
     */
    public record Result(double[][] xy, double[][] axes, double[] explained) {
    }

    private Projection() {
    }

    /** Projects {@code vectors} (all of one dimension, at least one) onto their two principal components. */
    public static Result pca(List<float[]> vectors, long seed) {
        if (vectors.isEmpty()) {
            throw new IllegalArgumentException("no vectors to project");
        }
        int n = vectors.size();
        int d = vectors.get(0).length;
        double[][] x = new double[n][];
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            float[] v = vectors.get(i);
            if (v.length != d) {
                throw new IllegalArgumentException("vector " + i + " has " + v.length + " dimensions, the first has " + d);
            }
            x[i] = new double[d];
            for (int j = 0; j < d; j++) {
                x[i][j] = v[j];
                mean[j] += v[j] / n;
            }
        }
        double total = 0;
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] -= mean[j];
                total += row[j] * row[j];
            }
        }
        total /= n;
        Random random = new Random(seed);
        double[][] axes = new double[2][];
        double[] explained = new double[2];
        for (int c = 0; c < 2; c++) {
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                v[j] = random.nextGaussian();
            }
            double lambda = 0;
            for (int it = 0; it < MAX_ITERATIONS; it++) {
                double[] w = covarianceTimes(x, v);
                for (int p = 0; p < c; p++) {
                    subtractProjection(w, axes[p]);
                }
                double norm = Math.sqrt(dot(w, w));
                if (norm == 0) {
                    break; // no variance left in this direction: the data lie in fewer dimensions
                }
                for (int j = 0; j < d; j++) {
                    w[j] /= norm;
                }
                boolean converged = Math.abs(norm - lambda) <= TOLERANCE * Math.max(norm, 1e-30);
                lambda = norm;
                v = w;
                if (converged) {
                    break;
                }
            }
            if (c > 0) {
                subtractProjection(v, axes[0]);
                double norm = Math.sqrt(dot(v, v));
                for (int j = 0; j < d && norm > 0; j++) {
                    v[j] /= norm;
                }
            }
            axes[c] = v;
            explained[c] = total == 0 ? 0 : lambda / total;
        }
        double[][] xy = new double[n][2];
        for (int i = 0; i < n; i++) {
            xy[i][0] = dot(x[i], axes[0]);
            xy[i][1] = dot(x[i], axes[1]);
        }
        return new Result(xy, axes, explained);
    }

    /** (X^T X / n) v, without forming X^T X. */
    private static double[] covarianceTimes(double[][] x, double[] v) {
        double[] out = new double[v.length];
        for (double[] row : x) {
            double s = dot(row, v);
            for (int j = 0; j < row.length; j++) {
                out[j] += s * row[j];
            }
        }
        for (int j = 0; j < out.length; j++) {
            out[j] /= x.length;
        }
        return out;
    }

    private static void subtractProjection(double[] w, double[] axis) {
        double s = dot(w, axis);
        for (int j = 0; j < w.length; j++) {
            w[j] -= s * axis[j];
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }
}
