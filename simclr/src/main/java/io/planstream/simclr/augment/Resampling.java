package io.planstream.simclr.augment;

/** Resampling of one image axis as a matrix, shared by the augmentations and the evaluation resize. */
public final class Resampling {

    private Resampling() {
    }

    /**
     * The (size x length) matrix that resamples one axis: row o holds the weights of the source
     * pixels {@code start .. start + extent - 1} for output pixel o, mirrored when {@code flip}.
     * Bilinear is PIL-style antialiased (a triangle filter as wide as the scale when shrinking).
     */
    public static float[] matrix(int size, int length, int start, int extent, boolean flip, Interpolation interpolation) {
        float[] m = new float[size * length];
        double scale = (double) extent / size;
        double support = Math.max(scale, 1.0);
        int last = start + extent - 1;
        for (int o = 0; o < size; o++) {
            int src = flip ? size - 1 - o : o;
            double centre = start + (src + 0.5) * scale;
            if (interpolation == Interpolation.NEAREST) {
                int p = Math.min(last, Math.max(start, (int) Math.floor(centre)));
                m[o * length + p] = 1f;
                continue;
            }
            int lo = Math.max(start, (int) Math.floor(centre - support));
            int hi = Math.min(last, (int) Math.ceil(centre + support));
            double total = 0;
            for (int p = lo; p <= hi; p++) {
                total += Math.max(0, 1 - Math.abs(p + 0.5 - centre) / support);
            }
            if (total == 0) {
                m[o * length + Math.min(last, Math.max(start, (int) Math.floor(centre)))] = 1f;
                continue;
            }
            for (int p = lo; p <= hi; p++) {
                double weight = Math.max(0, 1 - Math.abs(p + 0.5 - centre) / support);
                m[o * length + p] = (float) (weight / total);
            }
        }
        return m;
    }
}
