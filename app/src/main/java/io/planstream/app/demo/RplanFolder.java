package io.planstream.app.demo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.apache.commons.codec.digest.DigestUtils;

import io.planstream.ingest.image.Rplan;
import io.planstream.simclr.data.DataSources;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.ImageFolder;
import io.planstream.simclr.data.Split;

/**
 * An RPLAN folder as a data source, {@code rplan:DIR}: every 4-channel RPLAN PNG under DIR rendered
 * by room category (what the embedder sees), labelled by its number of rooms, and split into train
 * and test by a hash of the file name (one plan in five is a test plan), so the split does not move
 * when files are added. Other data sources go to {@link DataSources}.
 *
 * <p>Why here: rendering RPLAN rasters belongs to the ingest module, which the SimCLR core does not
 * depend on; the commands that read data sources live in this module, which has both.
 */
public final class RplanFolder {

    public static final String PREFIX = "rplan:";
    private static final int TEST_SHARE = 5;

    private RplanFolder() {
    }

    /**
     * RPLAN plans with the files they came from, e.g. to join them with ground truth.
     *
     * @param images the rendered plans, labelled by room count
     * @param files each plan's path relative to the folder, with {@code /} between names
     */
    public record Plans(ImageDataset images, List<String> files) {

        public Plans {
            if (files.size() != images.size()) {
                throw new IllegalArgumentException(files.size() + " file names for " + images.size() + " plans");
            }
            files = List.copyOf(files);
        }

        /** The plans at {@code indices}, in that order. */
        public Plans select(int[] indices) {
            List<String> f = new ArrayList<>(indices.length);
            for (int i : indices) {
                f.add(files.get(i));
            }
            return new Plans(images.select(indices), f);
        }
    }

    /** Opens {@code rplan:DIR} here, anything else with {@link DataSources#open}. */
    public static ImageDataset open(String source, Split split, int size, int channels) throws IOException {
        if (!source.startsWith(PREFIX)) {
            return DataSources.open(source, split, size, channels);
        }
        return openPlans(Path.of(source.substring(PREFIX.length())), split, size, channels).images();
    }

    /** The RPLAN plans of one split of {@code dir}, in the order of their paths. */
    public static Plans openPlans(Path dir, Split split, int size, int channels) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("rplan: " + dir + " is not a folder");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().toLowerCase().endsWith(".png")).sorted().toList();
        }
        int per = channels * size * size;
        List<byte[]> pixels = new ArrayList<>();
        List<Integer> rooms = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int skipped = 0;
        for (Path f : files) {
            if (isTest(f.getFileName().toString()) != (split == Split.TEST)) {
                continue;
            }
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null || img.getWidth() != Rplan.SIZE || img.getHeight() != Rplan.SIZE || !Rplan.looksLikeRplan(img)) {
                skipped++;
                continue;
            }
            pixels.add(ImageFolder.toBytes(ImageFolder.input(Rplan.render(img), size, channels)));
            rooms.add(Rplan.countRooms(img).total());
            names.add(dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"));
        }
        if (pixels.isEmpty()) {
            throw new IOException("no RPLAN plans for the " + split.name().toLowerCase() + " split in " + dir + " (" + files.size()
                    + " PNG files, " + skipped + " not RPLAN rasters)");
        }
        // Classes are the room counts present, in order: "3 rooms", "4 rooms", ...
        Map<Integer, Integer> classOf = new TreeMap<>();
        rooms.stream().sorted().distinct().forEach(r -> classOf.put(r, classOf.size()));
        byte[] all = new byte[pixels.size() * per];
        int[] labels = new int[pixels.size()];
        for (int i = 0; i < pixels.size(); i++) {
            System.arraycopy(pixels.get(i), 0, all, i * per, per);
            labels[i] = classOf.get(rooms.get(i));
        }
        List<String> classes = classOf.keySet().stream().map(r -> r + " rooms").toList();
        ImageDataset images = new ImageDataset("rplan:" + dir.getFileName(), channels, size, size, all, labels, classes);
        return new Plans(images, names);
    }

    /** One file name in {@value #TEST_SHARE} is in the test split, chosen by its SHA-256. */
    static boolean isTest(String fileName) {
        return Math.floorMod(DigestUtils.sha256(fileName)[0], TEST_SHARE) == 0;
    }
}
