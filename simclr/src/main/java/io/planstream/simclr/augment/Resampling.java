package io.planstream.simclr.augment;

/**
 * Resampling of one image axis as a matrix, shared by the augmentations, the evaluation resize, the
 * loading of picture folders and the embedder's preprocessing, so that a model sees its inputs resized
 * the same way wherever they come from.
 */
public final class Resampling {

    /** How whole pictures are brought to an encoder's input size outside the training augmentations. */
    public static final Interpolation INPUT = Interpolation.BILINEAR;

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

    /**
     * The centre square of planar images resized to {@code size x size} with {@link #INPUT}: per plane
     * {@code Ry . x . Rx^T} with the matrices of {@link #matrix}, as the evaluation resize computes it on
     * the device. Only the non-zero band of each matrix row is visited, so a large picture costs a few
     * multiply-adds per source pixel.
     *
     * @param planes {@code channels} planes of {@code height x width} values, row-major
     * @return {@code channels} planes of {@code size x size} values
     */
    public static float[] centreSquare(float[] planes, int channels, int height, int width, int size) {
        if (planes.length != channels * height * width) {
            throw new IllegalArgumentException("expected " + channels + " x " + height + " x " + width + " values, got " + planes.length);
        }
        if (height == size && width == size) {
            // Each row of the matrix is then a single weight of exactly 1: the identity.
            return planes.clone();
        }
        int side = Math.min(height, width);
        Band rows = new Band(matrix(size, height, (height - side) / 2, side, false, INPUT), size, height);
        Band cols = new Band(matrix(size, width, (width - side) / 2, side, false, INPUT), size, width);
        float[] out = new float[channels * size * size];
        float[] tmp = new float[size * width];
        for (int c = 0; c < channels; c++) {
            int in = c * height * width;
            java.util.Arrays.fill(tmp, 0f);
            for (int o = 0; o < size; o++) {
                for (int p = rows.lo[o]; p <= rows.hi[o]; p++) {
                    float weight = rows.m[o * height + p];
                    int src = in + p * width;
                    int dst = o * width;
                    for (int x = 0; x < width; x++) {
                        tmp[dst + x] += weight * planes[src + x];
                    }
                }
            }
            int base = c * size * size;
            for (int o = 0; o < size; o++) {
                for (int q = 0; q < size; q++) {
                    float sum = 0f;
                    for (int p = cols.lo[q]; p <= cols.hi[q]; p++) {
                        sum += tmp[o * width + p] * cols.m[q * width + p];
                    }
                    out[base + o * size + q] = sum;
                }
            }
        }
        return out;
    }

    /** A resampling matrix with the first and last non-zero column of each row. */
    private static final class Band {
        final float[] m;
        final int[] lo;
        final int[] hi;

        Band(float[] m, int rows, int length) {
            this.m = m;
            this.lo = new int[rows];
            this.hi = new int[rows];
            for (int o = 0; o < rows; o++) {
                int first = 0;
                while (first < length - 1 && m[o * length + first] == 0f) {
                    first++;
                }
                int last = length - 1;
                while (last > first && m[o * length + last] == 0f) {
                    last--;
                }
                lo[o] = first;
                hi[o] = last;
            }
        }
    }
}
