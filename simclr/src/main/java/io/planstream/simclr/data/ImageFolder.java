package io.planstream.simclr.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import io.planstream.simclr.augment.Resampling;

/**
 * A folder of ordinary pictures: either one sub-folder per class (the sub-folder names are the class
 * names, sorted) or a flat folder of unlabelled pictures. Every picture is converted to RGB or grey and
 * its centre square resized to {@code size} with the resampling every other input path uses.
 */
public final class ImageFolder {

    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp");

    private ImageFolder() {
    }

    public static ImageDataset load(Path dir, int size, int channels) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("not a folder: " + dir);
        }
        if (size < 8 || size > 1024) {
            throw new IllegalArgumentException("size must be 8..1024, got " + size);
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        if (classDirs.isEmpty()) {
            for (Path f : pictures(dir)) {
                files.add(f);
                labels.add(-1);
            }
        } else {
            for (Path c : classDirs) {
                List<Path> inClass = pictures(c);
                if (inClass.isEmpty()) {
                    continue;
                }
                int label = classes.size();
                classes.add(c.getFileName().toString());
                for (Path f : inClass) {
                    files.add(f);
                    labels.add(label);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no pictures (" + String.join(", ", EXTENSIONS) + ") in " + dir);
        }
        ByteArrayOutputStream pixels = new ByteArrayOutputStream(files.size() * channels * size * size);
        for (Path f : files) {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) {
                throw new IOException("cannot decode " + f);
            }
            pixels.writeBytes(toBytes(input(img, size, channels)));
        }
        return new ImageDataset("folder:" + dir.getFileName(), channels, size, size, pixels.toByteArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(), classes);
    }

    private static List<Path> pictures(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                int dot = n.lastIndexOf('.');
                return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
            }).sorted().toList();
        }
    }

    /**
     * The picture as the encoders take it: the centre square resized to {@code size} with the
     * resampling the evaluation uses ({@link Resampling#centreSquare}), planes of floats in [0, 1];
     * transparent pixels are laid over white.
     */
    public static float[] input(BufferedImage img, int size, int channels) {
        return Resampling.centreSquare(planes(img, channels), channels, img.getHeight(), img.getWidth(), size);
    }

    /**
     * Planar floats in [0, 1] at the picture's own size: RGB planes, or one luma plane (ITU-R BT.601
     * weights) for {@code channels == 1}; transparent pixels are laid over white.
     */
    public static float[] planes(BufferedImage img, int channels) {
        return planes(img, channels, new ArgbRows(img)::read);
    }

    /** {@link #planes(BufferedImage, int)} with the picture's packed ARGB rows read by {@code rows}. */
    static float[] planes(BufferedImage img, int channels, ArgbRows.Source rows) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        float[] out = new float[channels * plane];
        int[] row = new int[w];
        boolean alpha = img.getColorModel().hasAlpha();
        for (int y = 0; y < h; y++) {
            rows.read(y, row);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                float a = alpha ? ((argb >>> 24) & 0xFF) / 255f : 1f;
                float r = over(a, (argb >> 16) & 0xFF);
                float g = over(a, (argb >> 8) & 0xFF);
                float b = over(a, argb & 0xFF);
                int i = y * w + x;
                if (channels == 1) {
                    out[i] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    out[i] = r;
                    out[plane + i] = g;
                    out[2 * plane + i] = b;
                }
            }
        }
        return out;
    }

    /** A colour value in [0, 1] with coverage {@code a} laid over white. */
    private static float over(float a, int value) {
        return a * (value / 255f) + (1 - a);
    }

    /** Planar bytes: RGB planes, or one luma plane (ITU-R BT.601 weights) for {@code channels == 1}. */
    public static byte[] toChw(BufferedImage img, int channels) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[channels * w * h];
        int plane = w * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                int i = y * w + x;
                if (channels == 1) {
                    out[i] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                } else {
                    out[i] = (byte) r;
                    out[plane + i] = (byte) g;
                    out[2 * plane + i] = (byte) b;
                }
            }
        }
        return out;
    }

    /** Values in [0, 1] rounded to bytes, as datasets store pixels. */
    public static byte[] toBytes(float[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) Math.round(Math.min(1f, Math.max(0f, values[i])) * 255f);
        }
        return out;
    }
}
