package io.planstream.app;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

/** Pictures for tests: drawn ones, broken ones, and the shared real floor plans where present. */
public final class TestImages {

    private TestImages() {
    }

    public static Path sharedData() {
        String configured = System.getProperty("shared.data.dir");
        Path p = configured != null ? Path.of(configured) : Path.of("../../shared/data");
        return p.toAbsolutePath().normalize();
    }

    static List<Path> filesIn(Path dir, String... extensions) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Arrays.stream(extensions).anyMatch(e -> p.getFileName().toString().toLowerCase().endsWith(e)))
                    .sorted().toList();
        }
    }

    public static byte[] drawing(int w, int h, int seed, String format) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(seed * 2654435761L > 0 ? (int) (seed * 2654435761L) & 0xFFFFFF : 0x336699));
        g.fillRect(seed % (w / 2), seed % (h / 2), w / 3, h / 3);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A valid PNG whose IHDR claims other dimensions (CRC fixed, so only the size is a lie). */
    public static byte[] pngClaiming(int width, int height) {
        byte[] png = drawing(16, 16, 1, "png");
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, width);
        b.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return png;
    }
}
