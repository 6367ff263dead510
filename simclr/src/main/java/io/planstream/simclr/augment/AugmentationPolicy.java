package io.planstream.simclr.augment;

import java.util.Locale;

/**
 * The random transformations of SimCLR's Appendix A (Chen et al., ICML 2020), as configuration.
 *
 * @param name the policy's name, for manifests and logs
 * @param outputSize side of the square views, in pixels
 * @param cropScaleMin smallest crop area as a fraction of the image (SimCLR: 0.08)
 * @param cropScaleMax largest crop area fraction (1.0)
 * @param cropRatioMin smallest crop aspect, width/height (3/4); sampled log-uniformly
 * @param cropRatioMax largest crop aspect (4/3)
 * @param interpolation how crops are resampled
 * @param horizontalFlipProbability probability of a left-right mirror (0.5)
 * @param dihedral random 90-degree rotations and flips in both axes, each of the 8 symmetries of
 *     the square equally likely: label-preserving for floor plans, not for photographs
 * @param colorJitterProbability probability that a view's colours are distorted (0.8)
 * @param colorStrength s: brightness, contrast and saturation factors in [1-0.8s, 1+0.8s], hue
 *     shift in [-0.2s, 0.2s], applied in a random order per view; 0 turns colour distortion off
 * @param grayscaleProbability probability that a view is turned grey (0.2)
 * @param blurProbability probability of a Gaussian blur (0.5 on ImageNet, 0 on CIFAR)
 * @param blurKernelFraction kernel side as a fraction of the view side (0.1), made odd
 * @param blurSigmaMin smallest blur sigma in pixels (0.1)
 * @param blurSigmaMax largest blur sigma (2.0)
 */
public record AugmentationPolicy(
        String name,
        int outputSize,
        double cropScaleMin,
        double cropScaleMax,
        double cropRatioMin,
        double cropRatioMax,
        Interpolation interpolation,
        double horizontalFlipProbability,
        boolean dihedral,
        double colorJitterProbability,
        double colorStrength,
        double grayscaleProbability,
        double blurProbability,
        double blurKernelFraction,
        double blurSigmaMin,
        double blurSigmaMax) {

    public static final int MAX_OUTPUT_SIZE = 1024;

    public AugmentationPolicy {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("policy name must be set");
        }
        if (outputSize < 1 || outputSize > MAX_OUTPUT_SIZE) {
            throw new IllegalArgumentException(
                    "outputSize must be in [1, " + MAX_OUTPUT_SIZE + "], got: " + outputSize);
        }
        if (!(cropScaleMin > 0 && cropScaleMin <= cropScaleMax && cropScaleMax <= 1)) {
            throw new IllegalArgumentException(
                    "crop scale must satisfy 0 < min <= max <= 1, got: ["
                            + cropScaleMin
                            + ", "
                            + cropScaleMax
                            + "]");
        }
        if (!(cropRatioMin > 0 && cropRatioMin <= cropRatioMax && Double.isFinite(cropRatioMax))) {
            throw new IllegalArgumentException(
                    "crop ratio must satisfy 0 < min <= max, got: ["
                            + cropRatioMin
                            + ", "
                            + cropRatioMax
                            + "]");
        }
        if (interpolation == null) {
            throw new IllegalArgumentException("interpolation must be set");
        }
        probability("horizontalFlipProbability", horizontalFlipProbability);
        probability("colorJitterProbability", colorJitterProbability);
        probability("grayscaleProbability", grayscaleProbability);
        probability("blurProbability", blurProbability);
        if (!(colorStrength >= 0 && colorStrength <= 1.25)) {
            // above 1.25 the brightness factor range 1-0.8s would go below zero
            throw new IllegalArgumentException(
                    "colorStrength must be in [0, 1.25], got: " + colorStrength);
        }
        if (!(blurKernelFraction >= 0 && blurKernelFraction <= 0.5)) {
            throw new IllegalArgumentException(
                    "blurKernelFraction must be in [0, 0.5], got: " + blurKernelFraction);
        }
        if (!(blurSigmaMin > 0 && blurSigmaMin <= blurSigmaMax && blurSigmaMax <= 100)) {
            throw new IllegalArgumentException(
                    "blur sigma must satisfy 0 < min <= max <= 100, got: ["
                            + blurSigmaMin
                            + ", "
                            + blurSigmaMax
                            + "]");
        }
    }

    private static void probability(String field, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1], got: " + p);
        }
    }

    /**
     * SimCLR's CIFAR-10 policy: crop, flip, colour distortion of strength 0.5, grey; no blur (the
     * paper leaves it out for 32-pixel images).
     */
    public static AugmentationPolicy cifar(int outputSize) {
        return new AugmentationPolicy(
                "cifar", outputSize, 0.08, 1.0, 3.0 / 4, 4.0 / 3, Interpolation.BILINEAR, 0.5,
                false, 0.8, 0.5, 0.2, 0.0, 0.1, 0.1, 2.0);
    }

    /** SimCLR's ImageNet policy: crop, flip, colour distortion of strength 1, grey, blur. */
    public static AugmentationPolicy imagenet(int outputSize) {
        return new AugmentationPolicy(
                "imagenet", outputSize, 0.08, 1.0, 3.0 / 4, 4.0 / 3, Interpolation.BILINEAR, 0.5,
                false, 0.8, 1.0, 0.2, 0.5, 0.1, 0.1, 2.0);
    }

    /**
     * Floor plans: a plan rotated by 90 degrees or mirrored is still the same plan, so all eight
     * symmetries of the square are used; colours encode room categories, so there is no colour
     * distortion and crops are resampled with the nearest pixel. Crops keep at least 20% of the
     * plan (not SimCLR's 8%): an 8% crop of a small raster is a featureless patch of wall or floor.
     */
    public static AugmentationPolicy floorplan(int outputSize) {
        return new AugmentationPolicy(
                "floorplan", outputSize, 0.2, 1.0, 3.0 / 4, 4.0 / 3, Interpolation.NEAREST, 0.0,
                true, 0.0, 0.0, 0.0, 0.0, 0.1, 0.1, 2.0);
    }

    /**
     * @param name cifar, imagenet or floorplan
     * @param outputSize side of the views
     * @return the named policy
     */
    public static AugmentationPolicy named(String name, int outputSize) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "cifar":
                return cifar(outputSize);
            case "imagenet":
                return imagenet(outputSize);
            case "floorplan":
                return floorplan(outputSize);
            default:
                throw new IllegalArgumentException(
                        "augmentation policy must be cifar, imagenet or floorplan, got: " + name);
        }
    }

    /** @return this policy with another output size */
    public AugmentationPolicy withOutputSize(int size) {
        return new AugmentationPolicy(
                name, size, cropScaleMin, cropScaleMax, cropRatioMin, cropRatioMax, interpolation,
                horizontalFlipProbability, dihedral, colorJitterProbability, colorStrength,
                grayscaleProbability, blurProbability, blurKernelFraction, blurSigmaMin,
                blurSigmaMax);
    }

    /** @return this policy with the crop range replaced ({@code 1, 1, 1, 1} turns cropping off) */
    public AugmentationPolicy withCrop(
            double scaleMin, double scaleMax, double ratioMin, double ratioMax) {
        return new AugmentationPolicy(
                name, outputSize, scaleMin, scaleMax, ratioMin, ratioMax, interpolation,
                horizontalFlipProbability, dihedral, colorJitterProbability, colorStrength,
                grayscaleProbability, blurProbability, blurKernelFraction, blurSigmaMin,
                blurSigmaMax);
    }

    /**
     * @param strength s in [0, 1.25]: SimCLR's colour-distortion strength (0.5 for CIFAR, 1 for
     *     ImageNet); 0 turns colour distortion off and leaves grey and blur as they are
     * @return this policy with another colour-distortion strength
     */
    public AugmentationPolicy withColorStrength(double strength) {
        return new AugmentationPolicy(
                name, outputSize, cropScaleMin, cropScaleMax, cropRatioMin, cropRatioMax,
                interpolation, horizontalFlipProbability, dihedral, colorJitterProbability,
                strength, grayscaleProbability, blurProbability, blurKernelFraction, blurSigmaMin,
                blurSigmaMax);
    }

    /** @return this policy without colour distortion, grey or blur: geometry only */
    public AugmentationPolicy withoutColour() {
        return new AugmentationPolicy(
                name, outputSize, cropScaleMin, cropScaleMax, cropRatioMin, cropRatioMax,
                interpolation, horizontalFlipProbability, dihedral, 0, 0, 0, 0, blurKernelFraction,
                blurSigmaMin, blurSigmaMax);
    }

    /** @return whether views get colour distortion or grey at all */
    public boolean touchesColour() {
        return (colorStrength > 0 && colorJitterProbability > 0) || grayscaleProbability > 0;
    }

    /** @return the odd blur kernel side for the output size; 1 means no blur is possible */
    public int blurKernelSize() {
        int radius = (int) Math.floor(blurKernelFraction * outputSize) / 2;
        return 2 * radius + 1;
    }
}
