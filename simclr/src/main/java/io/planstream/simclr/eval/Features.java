package io.planstream.simclr.eval;

import java.util.Arrays;

/**
 * Feature vectors of labelled images, one row per image, held as one row-major float array so
 * that it can be handed to the engine in a single copy.
 *
 * @param values {@code count * dim} floats, row after row; not copied, do not change them
 * @param count number of rows
 * @param dim length of every row
 * @param labels class index per row
 * @param numClasses number of classes; every label is in {@code [0, numClasses)}
 */
public record Features(float[] values, int count, int dim, int[] labels, int numClasses) {

    public Features {
        if (count < 0 || dim < 1) {
            throw new IllegalArgumentException("need count >= 0 and dim >= 1, got count " + count + ", dim " + dim);
        }
        if (values == null || (long) count * dim != values.length) {
            throw new IllegalArgumentException("values must hold count * dim = " + (long) count * dim + " floats, got "
                    + (values == null ? "null" : values.length));
        }
        if (labels == null || labels.length != count) {
            throw new IllegalArgumentException("need one label per row: " + count + " rows, "
                    + (labels == null ? "null" : labels.length) + " labels");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is not in [0, " + numClasses + ")");
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("feature " + i % dim + " of row " + i / dim + " is " + values[i]);
            }
        }
    }

    /** @return a copy of row {@code i} */
    public float[] row(int i) {
        return Arrays.copyOfRange(values, i * dim, (i + 1) * dim);
    }

    /** @return the rows at {@code indices}, in that order, as new arrays */
    public Features select(int[] indices) {
        float[] v = new float[indices.length * dim];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(values, indices[i] * dim, v, i * dim, dim);
            l[i] = labels[indices[i]];
        }
        return new Features(v, indices.length, dim, l, numClasses);
    }

    /** @return the same labels with other values of the same shape (e.g. standardised ones) */
    public Features withValues(float[] newValues) {
        return new Features(newValues, count, dim, labels, numClasses);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Features f && count == f.count && dim == f.dim && numClasses == f.numClasses
                && Arrays.equals(values, f.values) && Arrays.equals(labels, f.labels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(values) + Arrays.hashCode(labels)) + dim;
    }

    @Override
    public String toString() {
        return "Features[count=" + count + ", dim=" + dim + ", numClasses=" + numClasses + "]";
    }
}
