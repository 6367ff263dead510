package io.planstream.simclr.eval;

import io.planstream.simclr.data.ImageDataset;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/** Seeded synthetic features and images for the evaluation tests. */
final class Synthetic {

    private Synthetic() {
    }

    /**
     * Gaussian clusters: class c is centred at {@code spread} times a random unit-ish vector.
     *
     * @param perClass rows of each class
     * @param classes number of classes
     * @param dim feature length
     * @param spread distance of the centres from the origin; noise has std 1
     */
    static Features clusters(int perClass, int classes, int dim, double spread, long seed) {
        Random r = new Random(seed);
        double[][] centres = new double[classes][dim];
        Random centreRandom = new Random(1234);
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < dim; j++) {
                centres[c][j] = spread * centreRandom.nextGaussian() / Math.sqrt(dim);
            }
        }
        int n = perClass * classes;
        float[] v = new float[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            for (int j = 0; j < dim; j++) {
                v[i * dim + j] = (float) (centres[c][j] + r.nextGaussian());
            }
        }
        return new Features(v, n, dim, labels, classes);
    }

    /** The same rows with their labels shuffled: nothing left to learn. */
    static Features shuffledLabels(Features f, long seed) {
        List<Integer> labels = new java.util.ArrayList<>(IntStream.of(f.labels()).boxed().toList());
        Collections.shuffle(labels, new Random(seed));
        return new Features(f.values(), f.count(), f.dim(), labels.stream().mapToInt(Integer::intValue).toArray(),
                f.numClasses());
    }

    /**
     * Grey images of two classes: horizontal stripes (class 0) or vertical stripes (class 1), with
     * a random phase and noise.
     */
    static ImageDataset stripes(int count, int side, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[count * side * side];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 2;
            int phase = r.nextInt(4);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int t = labels[i] == 0 ? y : x;
                    int v = ((t + phase) / 2) % 2 == 0 ? 200 : 40;
                    v += r.nextInt(41) - 20;
                    px[i * side * side + y * side + x] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new ImageDataset("stripes", 1, side, side, px, labels, List.of("horizontal", "vertical"));
    }
}
