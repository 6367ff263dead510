package io.planstream.app.demo;

import java.util.Locale;

import io.planstream.simclr.data.ImageDataset;

/**
 * The seven symmetries of the square besides the identity (the dihedral group D4: three turns and four
 * mirrors): a plan turned or flipped is the same apartment, so a search for it should still find the
 * original first.
 */
public enum PlanTransform {
    /** A quarter turn clockwise. */
    ROTATE_90,
    ROTATE_180,
    /** A quarter turn anticlockwise. */
    ROTATE_270,
    /** Left and right swapped. */
    MIRROR,
    /** Top and bottom swapped. */
    MIRROR_VERTICAL,
    /** Mirrored across the main diagonal (rows become columns). */
    TRANSPOSE,
    /** Mirrored across the other diagonal. */
    ANTI_TRANSPOSE;

    /** @return the name used in results: rotate90, rotate180, rotate270, mirror, mirrorvertical, transpose, antitranspose */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace("_", "");
    }

    /**
     * @param data square images
     * @return every image transformed, with the same labels
     * @throws IllegalArgumentException if the images are not square
     */
    public ImageDataset apply(ImageDataset data) {
        int side = data.height();
        if (data.width() != side) {
            throw new IllegalArgumentException(data.name() + " has " + data.height() + "x" + data.width()
                    + " images: only square plans can be rotated in place");
        }
        int plane = side * side;
        byte[] in = data.pixels();
        byte[] out = new byte[in.length];
        for (int base = 0; base < in.length; base += plane) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    out[base + y * side + x] = in[base + source(y, x, side)];
                }
            }
        }
        return new ImageDataset(data.name() + " " + id(), data.channels(), side, side, out, data.labels().clone(),
                data.classNames());
    }

    /** @return the offset in the original plane of the pixel that lands at (y, x) */
    int source(int y, int x, int side) {
        int last = side - 1;
        return switch (this) {
            case ROTATE_90 -> (last - x) * side + y;
            case ROTATE_180 -> (last - y) * side + (last - x);
            case ROTATE_270 -> x * side + (last - y);
            case MIRROR -> y * side + (last - x);
            case MIRROR_VERTICAL -> (last - y) * side + x;
            case TRANSPOSE -> x * side + y;
            case ANTI_TRANSPOSE -> (last - x) * side + (last - y);
        };
    }
}
