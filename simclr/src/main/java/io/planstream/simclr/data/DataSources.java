package io.planstream.simclr.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a data source by the name users give on the command line: {@code fashion-mnist} (Debian's
 * {@code dataset-fashion-mnist} package, or a folder holding its IDX files), a CIFAR-10 binary folder,
 * or a folder of pictures.
 */
public final class DataSources {

    public static final String FASHION_MNIST = "fashion-mnist";

    private DataSources() {
    }

    /**
     * @param source {@code fashion-mnist}, {@code fashion-mnist:DIR}, or a folder
     * @param size side of the square images for picture folders (fixed-size sets keep theirs)
     * @param channels 1 or 3, for picture folders
     */
    public static ImageDataset open(String source, Split split, int size, int channels) throws IOException {
        if (source.equals(FASHION_MNIST)) {
            return FashionMnist.load(FashionMnist.DEBIAN_DIR, split);
        }
        if (source.startsWith(FASHION_MNIST + ":")) {
            return FashionMnist.load(Path.of(source.substring(FASHION_MNIST.length() + 1)), split);
        }
        Path dir = Path.of(source);
        if (!Files.isDirectory(dir)) {
            throw new IOException("unknown data source '" + source + "': give fashion-mnist, a CIFAR-10 binary folder or a picture folder");
        }
        if (Cifar10.looksLike(dir)) {
            return Cifar10.load(dir, split);
        }
        if (Files.isDirectory(dir.resolve("train")) && Files.isDirectory(dir.resolve("test"))) {
            return ImageFolder.load(dir.resolve(split == Split.TRAIN ? "train" : "test"), size, channels);
        }
        return ImageFolder.load(dir, size, channels);
    }
}
