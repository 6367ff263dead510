package io.planstream.index.catalog;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

import javax.imageio.ImageIO;

import io.planstream.avro.ImageRecord;
import io.planstream.ingest.image.Png;

/** Small PNG previews of uploaded images, for search results and the web page. */
public final class Thumbnails {

    /** Largest side of a thumbnail when none is configured. */
    public static final int DEFAULT_SIZE = 128;

    private Thumbnails() {
    }

    /**
     * A PNG of the record's picture (the rendered plan for an RPLAN file) scaled to fit {@code size} x
     * {@code size}; empty where the bytes do not decode (the catalog keeps the entry without a preview).
     */
    public static Optional<byte[]> of(ImageRecord record, int size) {
        ByteBuffer picture = record.getRendered() != null ? record.getRendered() : record.getOriginal();
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(picture)));
            if (image == null) {
                return Optional.empty();
            }
            return Optional.of(png(scale(image, size)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Fits the image in {@code size} x {@code size}. Halving steps before the last bilinear step keep thin
     * walls visible; one bilinear step from a large plan would drop most of them.
     */
    static BufferedImage scale(BufferedImage image, int size) {
        // Each step draws onto a white RGB canvas, whatever the source's layout: the first reads the picture as it
        // was decoded (an indexed RPLAN rendering, RGBA, ...) without an RGB copy at full size first.
        BufferedImage current = image;
        double factor = Math.min(1.0, (double) size / Math.max(image.getWidth(), image.getHeight()));
        int targetW = Math.max(1, (int) Math.round(image.getWidth() * factor));
        int targetH = Math.max(1, (int) Math.round(image.getHeight() * factor));
        while (current.getWidth() / 2 >= targetW && current.getHeight() / 2 >= targetH) {
            current = draw(current, current.getWidth() / 2, current.getHeight() / 2);
        }
        if (current.getWidth() != targetW || current.getHeight() != targetH) {
            current = draw(current, targetW, targetH);
        }
        return toRgb(current);
    }

    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        return draw(image, image.getWidth(), image.getHeight());
    }

    private static BufferedImage draw(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** In memory: ImageIO.write would spool every thumbnail through a temporary file (ImageIO's cache is on by default). */
    private static byte[] png(BufferedImage image) {
        return Png.encode(image);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
