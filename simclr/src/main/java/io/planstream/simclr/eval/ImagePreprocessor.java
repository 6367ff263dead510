package io.planstream.simclr.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.planstream.simclr.augment.Resampling;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.Normalization;

/**
 * Turns stored images into what an encoder takes, with no augmentation: floats in [0, 1], the
 * encoder's channel count (grey copied to three planes, or RGB reduced to luma with the ITU-R
 * BT.601 weights that {@code ImageFolder} uses), the centre square resized to the encoder's side,
 * then the encoder's normalisation.
 *
 * <p>The resize is the augment package's resampling ({@link Resampling#INPUT}, PIL-style antialiased
 * bilinear: a triangle filter widened by the shrink factor) as two matrix products,
 * {@code Ry . x . Rx^T}, so it runs on the batch's device like the rest. Picture folders and the
 * embedder resize with the same matrices on the CPU ({@link Resampling#centreSquare}).
 */
public final class ImagePreprocessor {

    private static final float[] LUMA = {0.299f, 0.587f, 0.114f};

    private final int channels;
    private final int size;
    private final Normalization normalization;

    /**
     * @param channels channels the encoder takes (1 or 3 can be converted to each other)
     * @param size side of the encoder's square input
     * @param normalization applied last
     */
    public ImagePreprocessor(int channels, int size, Normalization normalization) {
        if (normalization.channels() != channels) {
            throw new IllegalArgumentException("normalization has " + normalization.channels()
                    + " channels, the encoder takes " + channels);
        }
        this.channels = channels;
        this.size = size;
        this.normalization = normalization;
    }

    /** @throws IllegalArgumentException if the images cannot be given this encoder's channel count */
    void check(ImageDataset data) {
        int c = data.channels();
        if (c != channels && !((c == 1 && channels == 3) || (c == 3 && channels == 1))) {
            throw new IllegalArgumentException(data.name() + " has " + c + " channels and the encoder takes " + channels
                    + ": only grey and RGB convert into each other");
        }
    }

    /**
     * @param data the images
     * @param indices which images, in batch order
     * @param manager receives the result, on its device; intermediates are freed
     * @return a normalised FLOAT32 batch (N, C, S, S)
     */
    public NDArray batch(ImageDataset data, int[] indices, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray x = pixels(data, indices, scratch);
            if (data.height() != size || data.width() != size) {
                x = resize(scratch, x, data.height(), data.width());
            }
            NDArray out = normalization.apply(x);
            out.attach(manager);
            return out;
        }
    }

    /**
     * The images as they are stored, in the encoder's channels: what augmentation starts from.
     *
     * @param data the images
     * @param indices which images, in batch order
     * @param manager receives the result, on its device; intermediates are freed
     * @return a FLOAT32 batch (N, C, H, W) in [0, 1], not resized and not normalised
     */
    public NDArray pixels(ImageDataset data, int[] indices, NDManager manager) {
        check(data);
        int n = indices.length;
        int per = data.imageBytes();
        float[] raw = new float[n * per];
        for (int i = 0; i < n; i++) {
            data.copyAsFloats(indices[i], raw, i * per);
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray x = convertChannels(scratch, scratch.create(raw,
                    new Shape(n, data.channels(), data.height(), data.width())));
            x.attach(manager);
            return x;
        }
    }

    private NDArray convertChannels(NDManager scratch, NDArray x) {
        long c = x.getShape().get(1);
        if (c == channels) {
            return x;
        }
        if (c == 1) {
            return NDArrays.concat(new NDList(x, x, x), 1);
        }
        return x.mul(scratch.create(LUMA, new Shape(1, 3, 1, 1))).sum(new int[] {1}, true);
    }

    private NDArray resize(NDManager scratch, NDArray x, int h, int w) {
        int side = Math.min(h, w);
        NDArray rows = scratch.create(resampling(size, h, (h - side) / 2, side), new Shape(1, 1, size, h));
        float[] cols = resampling(size, w, (w - side) / 2, side);
        float[] colsT = new float[w * size];
        for (int o = 0; o < size; o++) {
            for (int p = 0; p < w; p++) {
                colsT[p * size + o] = cols[o * w + p];
            }
        }
        return rows.matMul(x).matMul(scratch.create(colsT, new Shape(1, 1, w, size)));
    }

    /**
     * The (size x length) matrix that resamples {@code [start, start + extent)} of one axis to
     * {@code size} pixels: row o holds the weights of the source pixels for output pixel o.
     */
    static float[] resampling(int size, int length, int start, int extent) {
        return Resampling.matrix(size, length, start, extent, false, Resampling.INPUT);
    }
}
