package io.planstream.simclr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Per-channel input normalisation, {@code (x - mean) / std} on images in [0, 1], applied after
 * augmentation and before the encoder. It travels with a model, because an encoder only works on
 * inputs normalised the way it was trained.
 *
 * @param mean one value per channel
 * @param std one positive value per channel
 */
public record Normalization(float[] mean, float[] std) {

    public Normalization {
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException(
                    "normalization needs one mean and one std per channel, got mean "
                            + Arrays.toString(mean)
                            + " and std "
                            + Arrays.toString(std));
        }
        for (int i = 0; i < std.length; i++) {
            if (!(std[i] > 0) || !Float.isFinite(std[i]) || !Float.isFinite(mean[i])) {
                throw new IllegalArgumentException(
                        "normalization std must be > 0 and values finite, got mean "
                                + Arrays.toString(mean)
                                + " and std "
                                + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** @return mean 0.5 and std 0.5 for every channel: [0, 1] becomes [-1, 1] */
    public static Normalization centred(int channels) {
        float[] half = new float[channels];
        Arrays.fill(half, 0.5f);
        return new Normalization(half, half);
    }

    /** @return the ImageNet statistics torchvision uses (3 channels) */
    public static Normalization imagenet() {
        return new Normalization(
                new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }

    /** @return mean 0 and std 1 for every channel: the encoder takes pictures in [0, 1] as they are */
    public static Normalization none(int channels) {
        float[] zero = new float[channels];
        float[] one = new float[channels];
        Arrays.fill(one, 1f);
        return new Normalization(zero, one);
    }

    /**
     * The normalisations an operator names.
     *
     * @param name {@code imagenet} (3 channels), {@code centred} or {@code none}
     * @param channels the encoder's input channels
     * @throws IllegalArgumentException naming the value and what is allowed
     */
    public static Normalization named(String name, int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got: " + channels);
        }
        String key = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        switch (key) {
            case "imagenet":
                if (channels != 3) {
                    throw new IllegalArgumentException(
                            "normalization imagenet is for 3-channel (RGB) input, the encoder takes "
                                    + channels
                                    + ": use centred or none");
                }
                return imagenet();
            case "centred":
            case "centered":
                return centred(channels);
            case "none":
                return none(channels);
            default:
                throw new IllegalArgumentException(
                        "normalization must be imagenet, centred or none, got: '" + name + "'");
        }
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    public int channels() {
        return mean.length;
    }

    /**
     * @param images (N, C, H, W) in [0, 1]; not changed
     * @return a new normalised array on the same manager and device
     */
    public NDArray apply(NDArray images) {
        long c = images.getShape().get(1);
        if (c != mean.length) {
            throw new IllegalArgumentException(
                    "normalization has " + mean.length + " channels, images have " + c);
        }
        Shape perChannel = new Shape(1, c, 1, 1);
        float[] scale = new float[mean.length];
        float[] shift = new float[mean.length];
        for (int i = 0; i < mean.length; i++) {
            scale[i] = 1f / std[i];
            shift[i] = -mean[i] / std[i];
        }
        // Constants on a scratch manager of the input's device; one new array for the caller.
        NDArray out;
        try (NDManager scratch = images.getManager().newSubManager(images.getDevice())) {
            out = images.mul(scratch.create(scale, perChannel));
            out.addi(scratch.create(shift, perChannel));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
