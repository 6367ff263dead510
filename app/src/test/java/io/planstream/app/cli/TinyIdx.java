package io.planstream.app.cli;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Test helper: a tiny labelled data set in Fashion-MNIST's gzipped idx format, for the commands that
 * take {@code --data fashion-mnist:DIR}. Image i has class i % 3: grey noise with a bright square in
 * the quadrant the class chooses, so that an encoder can tell the classes apart.
 */
final class TinyIdx {

    static final int CLASSES = 3;

    private TinyIdx() {
    }

    /**
     * Writes a training and a test split into {@code dir/idx}.
     *
     * @return the data source the commands take: {@code fashion-mnist:DIR}
     */
    static String source(Path dir, int train, int test, int side) throws IOException {
        Path data = Files.createDirectories(dir.resolve("idx"));
        write(data, "train", train, side, 1);
        write(data, "t10k", test, side, 2);
        return "fashion-mnist:" + data;
    }

    /** Writes {@code PREFIX-images-idx3-ubyte.gz} and {@code PREFIX-labels-idx1-ubyte.gz} of {@code side}-pixel images. */
    static void write(Path dir, String prefix, int count, int side, long seed) throws IOException {
        Random r = new Random(seed);
        try (DataOutputStream out = gz(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
            out.writeInt(0x803);
            out.writeInt(count);
            out.writeInt(side);
            out.writeInt(side);
            for (int i = 0; i < count; i++) {
                int label = i % CLASSES;
                int top = label == 1 ? side / 2 : 0;
                int left = label == 2 ? side / 2 : 0;
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        boolean lit = y >= top && y < top + side / 2 && x >= left && x < left + side / 2;
                        out.writeByte((lit ? 180 : 30) + r.nextInt(40));
                    }
                }
            }
        }
        try (DataOutputStream out = gz(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            out.writeInt(0x801);
            out.writeInt(count);
            for (int i = 0; i < count; i++) {
                out.writeByte(i % CLASSES);
            }
        }
    }

    private static DataOutputStream gz(Path p) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(p))));
    }
}
