package io.planstream.simclr.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A picture's rows as packed ARGB, the values {@link BufferedImage#getRGB(int, int, int, int, int[], int, int)}
 * gives. That method asks the colour model for every pixel on its own (a virtual call and an array per
 * pixel): at 256 x 256 it took 1.3 ms of the embedder's 1.75 ms per plan. The layouts that uploads decode
 * to are read here a row at a time instead: palette images (PNG colour type 3, such as rendered RPLAN
 * plans), 8-bit sRGB with or without alpha (PNG, JPEG) and packed-int RGB. Anything else (grey, 16-bit,
 * other colour spaces, premultiplied alpha) takes {@code getRGB}, whose colour conversions these layouts
 * do not need. Not thread-safe: one instance per picture and thread.
 */
final class ArgbRows {

    /** Where a picture's rows come from, as packed ARGB. */
    @FunctionalInterface
    interface Source {
        /** Row {@code y} into {@code out[0 .. width)}. */
        void read(int y, int[] out);
    }

    private enum Layout { INDEXED, BYTES, INTS, GENERIC }

    private final BufferedImage image;
    private final Raster raster;
    private final Layout layout;
    private final int width;
    /** Palette: ARGB per index, for {@link Layout#INDEXED}. */
    private final int[] palette;
    /** Components per pixel (3 or 4) for {@link Layout#BYTES}. */
    private final int components;
    private final boolean opaque;
    private byte[] bytes;
    private int[] ints;

    ArgbRows(BufferedImage image) {
        this.image = image;
        this.raster = image.getRaster();
        this.width = image.getWidth();
        ColorModel cm = image.getColorModel();
        int transfer = raster.getTransferType();
        if (cm instanceof IndexColorModel icm && transfer == DataBuffer.TYPE_BYTE && raster.getNumDataElements() == 1) {
            layout = Layout.INDEXED;
            // An index past the map (malformed data) reads as transparent black.
            palette = new int[256];
            for (int i = 0; i < Math.min(256, icm.getMapSize()); i++) {
                palette[i] = icm.getRGB(i);
            }
            components = 1;
        } else if (cm instanceof ComponentColorModel && transfer == DataBuffer.TYPE_BYTE && cm.getColorSpace().isCS_sRGB()
                && !cm.isAlphaPremultiplied() && (cm.getNumComponents() == 3 || cm.getNumComponents() == 4)
                && raster.getNumDataElements() == cm.getNumComponents()) {
            layout = Layout.BYTES;
            palette = null;
            components = cm.getNumComponents();
        } else if ((image.getType() == BufferedImage.TYPE_INT_RGB || image.getType() == BufferedImage.TYPE_INT_ARGB)
                && transfer == DataBuffer.TYPE_INT) {
            layout = Layout.INTS;
            palette = null;
            components = 1;
        } else {
            layout = Layout.GENERIC;
            palette = null;
            components = 0;
        }
        this.opaque = image.getType() == BufferedImage.TYPE_INT_RGB || components == 3;
    }

    /** Row {@code y} into {@code out[0 .. width)}. */
    void read(int y, int[] out) {
        int minX = raster.getMinX();
        int minY = raster.getMinY();
        switch (layout) {
            case INDEXED -> {
                bytes = (byte[]) raster.getDataElements(minX, minY + y, width, 1, bytes);
                for (int x = 0; x < width; x++) {
                    out[x] = palette[bytes[x] & 0xFF];
                }
            }
            case BYTES -> {
                bytes = (byte[]) raster.getDataElements(minX, minY + y, width, 1, bytes);
                for (int x = 0, i = 0; x < width; x++, i += components) {
                    int alpha = opaque ? 0xFF : bytes[i + 3] & 0xFF;
                    out[x] = alpha << 24 | (bytes[i] & 0xFF) << 16 | (bytes[i + 1] & 0xFF) << 8 | bytes[i + 2] & 0xFF;
                }
            }
            case INTS -> {
                ints = (int[]) raster.getDataElements(minX, minY + y, width, 1, ints);
                for (int x = 0; x < width; x++) {
                    out[x] = opaque ? ints[x] | 0xFF000000 : ints[x];
                }
            }
            case GENERIC -> image.getRGB(0, y, width, 1, out, 0, width);
        }
    }

    /** Whether the picture is read without {@code getRGB}; for tests. */
    boolean direct() {
        return layout != Layout.GENERIC;
    }
}
