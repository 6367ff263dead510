package io.planstream.simclr.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 (Krizhevsky 2009) in its binary distribution: records of one label byte and 3x32x32 bytes
 * (red, green, blue planes), in {@code data_batch_1.bin} .. {@code data_batch_5.bin} and
 * {@code test_batch.bin}, with class names in {@code batches.meta.txt}.
 */
public final class Cifar10 {

    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    static final int SIDE = 32;
    static final int RECORD = 1 + 3 * SIDE * SIDE;

    private Cifar10() {
    }

    /** True where {@code dir} holds CIFAR-10 binary batches. */
    public static boolean looksLike(Path dir) {
        return Files.isRegularFile(dir.resolve("test_batch.bin")) || Files.isRegularFile(dir.resolve("data_batch_1.bin"));
    }

    public static ImageDataset load(Path dir, Split split) throws IOException {
        List<Path> files = new ArrayList<>();
        if (split == Split.TEST) {
            files.add(dir.resolve("test_batch.bin"));
        } else {
            for (int i = 1; i <= 5; i++) {
                Path p = dir.resolve("data_batch_" + i + ".bin");
                if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        List<Integer> labels = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new IOException("no " + file.getFileName() + " in " + dir + " (expected the CIFAR-10 binary version)");
            }
            long size = Files.size(file);
            if (size % RECORD != 0) {
                throw new IOException(file + " is " + size + " bytes, not a multiple of the " + RECORD + "-byte CIFAR-10 record");
            }
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                byte[] record = new byte[RECORD];
                while (in.readNBytes(record, 0, RECORD) == RECORD) {
                    int label = record[0] & 0xFF;
                    if (label >= CLASSES.size()) {
                        throw new IOException(file + ": label " + label + " is not a CIFAR-10 class");
                    }
                    labels.add(label);
                    pixels.write(record, 1, RECORD - 1);
                }
            }
        }
        if (labels.isEmpty()) {
            throw new IOException("no CIFAR-10 training batches (data_batch_N.bin) in " + dir);
        }
        return new ImageDataset("cifar10/" + split.name().toLowerCase(java.util.Locale.ROOT), 3, SIDE, SIDE,
                pixels.toByteArray(), labels.stream().mapToInt(Integer::intValue).toArray(), CLASSES);
    }
}
