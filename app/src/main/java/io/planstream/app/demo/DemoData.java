package io.planstream.app.demo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import io.planstream.ingest.image.Rplan;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.ImageFolder;

/** Turns plan files into a training set: RPLAN rasters rendered by room category, other pictures as they are. */
public final class DemoData {

    private DemoData() {
    }

    /** The files as {@code size} x {@code size} RGB images; files that do not decode are skipped. */
    public static ImageDataset dataset(List<Path> files, int size) throws IOException {
        int per = 3 * size * size;
        byte[] pixels = new byte[files.size() * per];
        int n = 0;
        for (Path f : files) {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) {
                continue;
            }
            BufferedImage picture = Rplan.looksLikeRplan(img) ? Rplan.render(img) : img;
            // The same centre-square resize as evaluation and the embedder, so the encoder trains on what it serves.
            System.arraycopy(ImageFolder.toBytes(ImageFolder.input(picture, size, 3)), 0, pixels, n * per, per);
            n++;
        }
        if (n == 0) {
            throw new IOException("none of the " + files.size() + " files decodes as a picture");
        }
        byte[] used = n == files.size() ? pixels : java.util.Arrays.copyOf(pixels, n * per);
        int[] labels = new int[n];
        java.util.Arrays.fill(labels, -1);
        return new ImageDataset("plans:" + files.get(0).getParent(), 3, size, size, used, labels, List.of());
    }

    /** The picture files of a folder, sorted. */
    public static List<Path> pictures(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")).sorted().toList();
        }
    }
}
