package io.planstream.simclr.augment;

/** How a crop is resampled to the output size. */
public enum Interpolation {
    /**
     * Bilinear with a triangle filter widened by the reduction factor when shrinking (PIL's
     * antialiased bilinear, which torchvision's SimCLR ports use); plain bilinear when enlarging.
     */
    BILINEAR,
    /** The nearest source pixel: keeps the exact colours of a category-coloured floor plan. */
    NEAREST
}
