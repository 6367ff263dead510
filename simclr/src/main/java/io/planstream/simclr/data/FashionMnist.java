package io.planstream.simclr.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Xiao et al. 2017) in the IDX format of its distribution: 28x28 grey images of 10
 * clothing classes, 60,000 for training and 10,000 for test. Debian ships it in the
 * {@code dataset-fashion-mnist} package under {@link #DEBIAN_DIR}.
 */
public final class FashionMnist {

    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private FashionMnist() {
    }

    /** Loads a split from {@code dir} (files {@code train-images-idx3-ubyte[.gz]} and so on). */
    public static ImageDataset load(Path dir, Split split) throws IOException {
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        return IdxReader.read("fashion-mnist/" + split.name().toLowerCase(java.util.Locale.ROOT), images, labels, CLASSES);
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("no " + base + "(.gz) in " + dir + (dir.equals(DEBIAN_DIR)
                ? "; install it with: sudo apt-get install dataset-fashion-mnist" : ""));
    }

    /** The IDX format of (Fashion-)MNIST: big-endian magic, dimensions, then unsigned bytes. */
    static final class IdxReader {

        private IdxReader() {
        }

        static ImageDataset read(String name, Path imagesFile, Path labelsFile, List<String> classes) throws IOException {
            byte[] pixels;
            int rows;
            int cols;
            try (DataInputStream in = open(imagesFile)) {
                int magic = in.readInt();
                if (magic != IMAGES_MAGIC) {
                    throw new IOException(imagesFile + " is not an IDX image file (magic " + Integer.toHexString(magic) + ")");
                }
                int count = in.readInt();
                rows = in.readInt();
                cols = in.readInt();
                checkDims(imagesFile, count, rows, cols);
                pixels = in.readNBytes(count * rows * cols);
                if (pixels.length != count * rows * cols) {
                    throw new IOException(imagesFile + " is truncated: " + pixels.length + " of " + count * rows * cols + " pixel bytes");
                }
            }
            int[] labels;
            try (DataInputStream in = open(labelsFile)) {
                int magic = in.readInt();
                if (magic != LABELS_MAGIC) {
                    throw new IOException(labelsFile + " is not an IDX label file (magic " + Integer.toHexString(magic) + ")");
                }
                int count = in.readInt();
                byte[] raw = in.readNBytes(count);
                if (raw.length != count) {
                    throw new IOException(labelsFile + " is truncated: " + raw.length + " of " + count + " labels");
                }
                labels = new int[count];
                for (int i = 0; i < count; i++) {
                    labels[i] = raw[i] & 0xFF;
                    if (labels[i] >= classes.size()) {
                        throw new IOException(labelsFile + ": label " + labels[i] + " at " + i + " is not a class");
                    }
                }
            }
            if (labels.length * rows * cols != pixels.length) {
                throw new IOException(imagesFile + " and " + labelsFile + " disagree on the number of images");
            }
            return new ImageDataset(name, 1, rows, cols, pixels, labels, classes);
        }

        private static void checkDims(Path file, int count, int rows, int cols) throws IOException {
            if (count < 0 || rows < 1 || cols < 1 || rows > 4096 || cols > 4096 || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": implausible IDX dimensions " + count + "x" + rows + "x" + cols);
            }
        }

        private static DataInputStream open(Path file) throws IOException {
            InputStream in = Files.newInputStream(file);
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
        }
    }
}
