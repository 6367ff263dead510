package io.planstream.simclr.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
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

/**
 * A folder of ordinary pictures: either one sub-folder per class (the sub-folder names are the class
 * names, sorted) or a flat folder of unlabelled pictures. Every picture is scaled so that its shorter
 * side is {@code size}, centre-cropped to a square and converted to RGB or grey.
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
            pixels.writeBytes(toChw(squareCrop(img, size), channels));
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

    /** Scales the shorter side to {@code size} and keeps the centre square. */
    public static BufferedImage squareCrop(BufferedImage img, int size) {
        double scale = (double) size / Math.min(img.getWidth(), img.getHeight());
        int w = Math.max(size, (int) Math.round(img.getWidth() * scale));
        int h = Math.max(size, (int) Math.round(img.getHeight() * scale));
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, size, size);
        g.drawImage(img, (size - w) / 2, (size - h) / 2, w, h, null);
        g.dispose();
        return out;
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
}
