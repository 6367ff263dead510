package io.planstream.simclr.eval;

/**
 * Per-feature standardisation, {@code (x - mean) / std}, fitted on training rows and applied
 * unchanged to any other rows (as scikit-learn's {@code StandardScaler}). A feature that does not
 * vary in the training rows (a border pixel that is always black) keeps scale 1, so it becomes 0
 * there instead of dividing by zero.
 */
final class Standardizer {

    /** Below this standard deviation a feature counts as constant. */
    static final double MIN_STD = 1e-6;

    private final float[] mean;
    private final float[] scale;

    private Standardizer(float[] mean, float[] scale) {
        this.mean = mean;
        this.scale = scale;
    }

    /** Fits mean and population standard deviation per feature, accumulated in double. */
    static Standardizer fit(Features train) {
        int d = train.dim();
        int n = train.count();
        if (n == 0) {
            throw new IllegalArgumentException("cannot standardise on zero rows");
        }
        double[] sum = new double[d];
        float[] v = train.values();
        for (int i = 0; i < n; i++) {
            int base = i * d;
            for (int j = 0; j < d; j++) {
                sum[j] += v[base + j];
            }
        }
        float[] mean = new float[d];
        for (int j = 0; j < d; j++) {
            mean[j] = (float) (sum[j] / n);
        }
        double[] sq = new double[d];
        for (int i = 0; i < n; i++) {
            int base = i * d;
            for (int j = 0; j < d; j++) {
                double c = v[base + j] - mean[j];
                sq[j] += c * c;
            }
        }
        float[] scale = new float[d];
        for (int j = 0; j < d; j++) {
            double std = Math.sqrt(sq[j] / n);
            scale[j] = (float) (std < MIN_STD ? 1.0 : 1.0 / std);
        }
        return new Standardizer(mean, scale);
    }

    /** @return standardised copies of the rows; {@code features} is not changed */
    Features apply(Features features) {
        if (features.dim() != mean.length) {
            throw new IllegalArgumentException("fitted on " + mean.length + " features, got " + features.dim());
        }
        float[] v = features.values();
        float[] out = new float[v.length];
        int d = mean.length;
        for (int i = 0; i < v.length; i++) {
            int j = i % d;
            out[i] = (v[i] - mean[j]) * scale[j];
        }
        return features.withValues(out);
    }
}
