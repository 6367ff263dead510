package io.planstream.simclr.data;

import java.util.List;
import java.util.Objects;

/**
 * Images of one shape held in memory as 8-bit pixels in CHW order, with optional labels. Bytes rather
 * than floats keep Fashion-MNIST's 60,000 training images at 47 MB; batches are converted to floats in
 * [0, 1] when they are built.
 *
 * @param name where the images came from, for logs and manifests
 * @param channels 1 (grey) or 3 (RGB)
 * @param height rows of every image
 * @param width columns of every image
 * @param pixels {@code size * channels * height * width} bytes, image after image
 * @param labels class index per image, or -1 where an image has none
 * @param classNames names of the classes, indexed by label; empty for unlabelled data
 */
public record ImageDataset(String name, int channels, int height, int width, byte[] pixels, int[] labels,
                           List<String> classNames) {

    public ImageDataset {
        Objects.requireNonNull(name, "name");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        long per = (long) channels * height * width;
        if (pixels.length % per != 0 || pixels.length / per != labels.length) {
            throw new IllegalArgumentException("pixels hold " + pixels.length / (double) per + " images but there are "
                    + labels.length + " labels");
        }
        classNames = List.copyOf(classNames);
    }

    public int size() {
        return labels.length;
    }

    public int imageBytes() {
        return channels * height * width;
    }

    public boolean labelled() {
        for (int label : labels) {
            if (label < 0) {
                return false;
            }
        }
        return labels.length > 0;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** Copies image {@code index} into {@code out} at {@code offset} as floats in [0, 1]. */
    public void copyAsFloats(int index, float[] out, int offset) {
        int n = imageBytes();
        int base = index * n;
        for (int i = 0; i < n; i++) {
            out[offset + i] = (pixels[base + i] & 0xFF) / 255f;
        }
    }

    /** The first {@code n} images (or all, if fewer), e.g. for quick runs and tests. */
    public ImageDataset head(int n) {
        int k = Math.min(n, size());
        byte[] p = java.util.Arrays.copyOf(pixels, k * imageBytes());
        return new ImageDataset(name, channels, height, width, p, java.util.Arrays.copyOf(labels, k), classNames);
    }

    /** The images at {@code indices}, in that order. */
    public ImageDataset select(int[] indices) {
        int n = imageBytes();
        byte[] p = new byte[indices.length * n];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * n, p, i * n, n);
            l[i] = labels[indices[i]];
        }
        return new ImageDataset(name, channels, height, width, p, l, classNames);
    }
}
