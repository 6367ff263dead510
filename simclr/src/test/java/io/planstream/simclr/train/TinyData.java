package io.planstream.simclr.train;

import io.planstream.simclr.data.ImageDataset;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Small labelled images for pretraining and evaluation tests: tinted stripes, one orientation per class. */
public final class TinyData {

    public static final List<String> CLASSES = List.of("0deg", "45deg", "90deg", "135deg");

    private TinyData() {}

    /**
     * Stripes of the class's orientation over a tint of the image's own.
     *
     * @param n images
     * @param channels 1 or 3
     * @param size side in pixels
     * @param seed varies frequency, phase and colour per image
     */
    public static ImageDataset stripes(int n, int channels, int size, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * channels * size * size];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = i % CLASSES.size();
            labels[i] = label;
            double angle = Math.PI * label / CLASSES.size();
            double freq = 2 + 2 * r.nextDouble();
            double phase = 2 * Math.PI * r.nextDouble();
            for (int c = 0; c < channels; c++) {
                // each image its own tint and contrast: what tells two images apart under any crop
                double base = 0.2 + 0.6 * r.nextDouble();
                double gain = 0.05 + 0.15 * r.nextDouble();
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double t = (Math.cos(angle) * x + Math.sin(angle) * y) / size;
                        double v = base + gain * Math.sin(2 * Math.PI * freq * t + phase);
                        px[((i * channels + c) * size + y) * size + x] = (byte) Math.round(255 * v);
                    }
                }
            }
        }
        return new ImageDataset("stripes", channels, size, size, px, labels, CLASSES);
    }

    /** Writes grey images as uncompressed Fashion-MNIST training files in {@code dir}. */
    static void writeIdx(Path dir, ImageDataset grey) throws IOException {
        Files.createDirectories(dir);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve("train-images-idx3-ubyte")))) {
            out.writeInt(0x803);
            out.writeInt(grey.size());
            out.writeInt(grey.height());
            out.writeInt(grey.width());
            out.write(grey.pixels());
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve("train-labels-idx1-ubyte")))) {
            out.writeInt(0x801);
            out.writeInt(grey.size());
            for (int label : grey.labels()) {
                out.writeByte(label);
            }
        }
    }
}
