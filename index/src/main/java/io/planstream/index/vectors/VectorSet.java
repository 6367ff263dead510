package io.planstream.index.vectors;

import java.util.Arrays;

/**
 * {@code size} vectors of {@code dimension} floats, stored row after row in one array: the layout
 * brute-force search and the fvecs format want. The array is shared, not copied.
 */
public record VectorSet(int dimension, float[] data) {

    public VectorSet {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        if (data.length % dimension != 0) {
            throw new IllegalArgumentException(data.length + " floats are not a whole number of vectors of " + dimension);
        }
    }

    public int size() {
        return data.length / dimension;
    }

    /**
     * A copy with every vector scaled to length 1, as the index stores them.
     *
     * @throws IllegalArgumentException for a vector of length 0 or with a NaN or infinite value
     */
    public VectorSet normalised() {
        float[] out = new float[data.length];
        for (int i = 0; i < size(); i++) {
            int from = i * dimension;
            double sum = 0;
            for (int j = from; j < from + dimension; j++) {
                sum += (double) data[j] * data[j];
            }
            if (!(sum > 0) || Double.isInfinite(sum)) {
                throw new IllegalArgumentException("vector " + i + " has length " + Math.sqrt(sum) + ", it cannot be normalised");
            }
            double scale = 1 / Math.sqrt(sum);
            for (int j = from; j < from + dimension; j++) {
                out[j] = (float) (data[j] * scale);
            }
        }
        return new VectorSet(dimension, out);
    }

    /** A copy of vector {@code i}. */
    public float[] get(int i) {
        return Arrays.copyOfRange(data, i * dimension, (i + 1) * dimension);
    }
}
