package io.planstream.embedder.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.planstream.simclr.Devices;
import io.planstream.simclr.model.EncoderSpec;

/** The 8-view embedding of a Planstream ResNet (one forward per symmetry) against turns and mirrors built here pixel by pixel. */
class BatchEncoderTest {

    private static final int C = 3;
    private static final int S = 16;
    private static BatchEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = BatchEncoder.random(EncoderSpec.of("resnet-mini", C, S), 1, 3, Devices.choose("cpu"));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void aTurnedOrMirroredPlanHasTheSameSymmetricEmbeddingAndADifferentPlainOne() {
        float[] image = random(9);
        List<float[]> all = views(image);
        float[] reference = encoder.embed(List.of(image), true)[0];
        for (int g = 1; g < all.size(); g++) {
            float[] turned = encoder.embed(List.of(all.get(g)), true)[0];
            assertThat(cosine(reference, turned)).as("view %d", g).isGreaterThan(0.9999f);
        }
        float[] plain = encoder.embed(List.of(image), false)[0];
        float[] plainTurned = encoder.embed(List.of(all.get(1)), false)[0];
        assertThat(cosine(plain, plainTurned)).as("without symmetries a turn changes the vector").isLessThan(0.9999f);
        float[][] batch = encoder.embed(List.of(image, all.get(3), random(10)), true);
        assertThat(cosine(batch[0], reference)).as("the same in a batch of three").isGreaterThan(0.9999f);
        assertThat(cosine(batch[1], reference)).isGreaterThan(0.9999f);
        assertThat(cosine(batch[2], reference)).as("another plan differs").isLessThan(0.9999f);
    }

    /** The 8 images of the dihedral group D4: four quarter turns, each with and without a mirror. */
    private static List<float[]> views(float[] image) {
        float[] r1 = turn(image);
        float[] r2 = turn(r1);
        float[] r3 = turn(r2);
        return List.of(image, r1, r2, r3, mirror(image), mirror(r1), mirror(r2), mirror(r3));
    }

    /** A quarter turn: pixel (y, x) goes to (x, S - 1 - y). */
    private static float[] turn(float[] in) {
        return move(in, (y, x) -> x * S + (S - 1 - y));
    }

    /** A mirror across the vertical axis: pixel (y, x) goes to (y, S - 1 - x). */
    private static float[] mirror(float[] in) {
        return move(in, (y, x) -> y * S + (S - 1 - x));
    }

    private static float[] move(float[] in, java.util.function.IntBinaryOperator target) {
        float[] out = new float[in.length];
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    out[c * S * S + target.applyAsInt(y, x)] = in[c * S * S + y * S + x];
                }
            }
        }
        return out;
    }

    private static float[] random(long seed) {
        Random r = new Random(seed);
        float[] image = new float[C * S * S];
        for (int i = 0; i < image.length; i++) {
            image[i] = r.nextFloat();
        }
        return image;
    }

    private static float cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return (float) (dot / Math.sqrt(na * nb));
    }
}
