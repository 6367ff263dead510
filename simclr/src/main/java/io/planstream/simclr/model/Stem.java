package io.planstream.simclr.model;

import java.util.Locale;

/**
 * The first layers of a ResNet.
 *
 * <p>{@link #IMAGENET} is He et al.'s stem (7x7 stride-2 convolution, batch norm, ReLU, 3x3
 * stride-2 max-pool: a 4x reduction before the first stage). {@link #SMALL} is the one SimCLR uses
 * for CIFAR-10 (3x3 stride-1 convolution, batch norm, ReLU, no max-pool), because a 4x reduction
 * leaves almost nothing of a 32-pixel image.
 */
public enum Stem {
    SMALL("small"),
    IMAGENET("imagenet");

    /** Below this input side the small stem is the default. */
    public static final int SMALL_STEM_BELOW_PX = 96;

    private final String id;

    Stem(String id) {
        this.id = id;
    }

    /** @return the name used in configuration, manifests and on the command line */
    public String id() {
        return id;
    }

    /** @return the stem SimCLR would use for inputs of this side */
    public static Stem defaultFor(int inputSize) {
        return inputSize < SMALL_STEM_BELOW_PX ? SMALL : IMAGENET;
    }

    /**
     * @param id {@code small} or {@code imagenet}, case-insensitive
     * @return the stem
     * @throws IllegalArgumentException naming the bad value
     */
    public static Stem of(String id) {
        if (id != null) {
            String key = id.trim().toLowerCase(Locale.ROOT);
            for (Stem s : values()) {
                if (s.id.equals(key)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("stem must be small or imagenet, got: " + id);
    }
}
