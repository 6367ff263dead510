package io.planstream.simclr.augment;

/**
 * A crop of a source image, in pixels.
 *
 * @param top first row
 * @param left first column
 * @param height rows
 * @param width columns
 */
public record CropBox(int top, int left, int height, int width) {

    /** @return the area as a fraction of a {@code h x w} image */
    public double areaFraction(int h, int w) {
        return (double) height * width / ((double) h * w);
    }

    /** @return width / height */
    public double aspect() {
        return (double) width / height;
    }
}
