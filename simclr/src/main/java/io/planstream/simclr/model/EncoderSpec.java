package io.planstream.simclr.model;

import ai.djl.ndarray.types.Shape;
import java.util.Set;

/**
 * Everything needed to rebuild an encoder f(.): the architecture, SimCLR's width multiplier, the
 * stem, and the input it expects. Checked on construction, so an instance is always buildable.
 *
 * @param architecture the network family
 * @param width the width multiplier (1, 2 or 4 as in SimCLR's wide ResNets)
 * @param stem the first layers
 * @param inputChannels channels of the input images (3 for RGB, 4 for RPLAN rasters, 1 for grey)
 * @param inputSize side of the square input in pixels
 */
public record EncoderSpec(
        Architecture architecture, int width, Stem stem, int inputChannels, int inputSize) {

    /** The width multipliers SimCLR reports. */
    public static final Set<Integer> WIDTHS = Set.of(1, 2, 4);

    public static final int MAX_CHANNELS = 16;
    public static final int MIN_SIZE = 8;
    /** The ImageNet stem divides the side by 32 before pooling: below this nothing is left. */
    public static final int MIN_SIZE_IMAGENET_STEM = 32;
    public static final int MAX_SIZE = 1024;

    public EncoderSpec {
        if (architecture == null) {
            throw new IllegalArgumentException("architecture must be set");
        }
        if (stem == null) {
            throw new IllegalArgumentException("stem must be set");
        }
        if (!WIDTHS.contains(width)) {
            throw new IllegalArgumentException("width must be 1, 2 or 4, got: " + width);
        }
        if (inputChannels < 1 || inputChannels > MAX_CHANNELS) {
            throw new IllegalArgumentException(
                    "inputChannels must be in [1, " + MAX_CHANNELS + "], got: " + inputChannels);
        }
        int min = stem == Stem.IMAGENET ? MIN_SIZE_IMAGENET_STEM : MIN_SIZE;
        if (inputSize < min || inputSize > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "inputSize must be in ["
                            + min
                            + ", "
                            + MAX_SIZE
                            + "] with the "
                            + stem.id()
                            + " stem, got: "
                            + inputSize);
        }
    }

    /**
     * Parses the names users type.
     *
     * @param name resnet18, resnet34, resnet50 or resnet-mini
     * @param width 1, 2 or 4
     * @param stem small, imagenet, or null/"auto" for the default of the input size
     * @param inputChannels image channels
     * @param inputSize image side in pixels
     * @return the checked spec
     */
    public static EncoderSpec of(
            String name, int width, String stem, int inputChannels, int inputSize) {
        Stem s =
                stem == null || stem.isBlank() || "auto".equalsIgnoreCase(stem.trim())
                        ? Stem.defaultFor(inputSize)
                        : Stem.of(stem);
        return new EncoderSpec(Architecture.of(name), width, s, inputChannels, inputSize);
    }

    /** @return width 1 and the default stem for the size */
    public static EncoderSpec of(String name, int inputChannels, int inputSize) {
        return of(name, 1, null, inputChannels, inputSize);
    }

    /** @return the name of the architecture, as in configuration */
    public String name() {
        return architecture.id();
    }

    /** @return the dimension of h = f(x): the last stage's channels */
    public int embeddingDim() {
        int[] widths = architecture.widths();
        return widths[widths.length - 1] * width * architecture.unit().expansion();
    }

    /** @return the shape of a batch of {@code batch} inputs, NCHW */
    public Shape inputShape(long batch) {
        return new Shape(batch, inputChannels, inputSize, inputSize);
    }

    /** @return a new, uninitialised encoder block for this spec */
    public ResNet build() {
        return ResNet.builder()
                .setUnit(architecture.unit())
                .setDepths(architecture.depths())
                .optWidths(architecture.widths())
                .optWidthMultiplier(width)
                .optStem(stem)
                .build();
    }
}
