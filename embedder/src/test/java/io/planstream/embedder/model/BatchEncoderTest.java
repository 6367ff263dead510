package io.planstream.embedder.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.planstream.simclr.Devices;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactInfo;
import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.InferenceEncoder;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;

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

    @Test
    void theViewsGiveTheSameVectorsHoweverTheyAreCutIntoForwards() {
        List<float[]> plans = List.of(random(21), random(22), random(23), random(24), random(25));
        // One image per forward, each plan alone: 8 forwards of one view each.
        float[][] alone = new float[plans.size()][];
        for (int i = 0; i < plans.size(); i++) {
            alone[i] = encoder.embed(List.of(plans.get(i)), true, 1)[0];
        }
        // 8: forwards of 8 that cut across the views of five plans; 40: all 40 views in one forward.
        for (int max : new int[] {1, 5, 8, 12, 16, 40, 1000}) {
            float[][] batch = encoder.embed(plans, true, max);
            assertThat(batch.length).isEqualTo(plans.size());
            for (int i = 0; i < plans.size(); i++) {
                for (int j = 0; j < alone[i].length; j++) {
                    assertThat(batch[i][j]).as("forwards of up to %d images, plan %d, component %d", max, i, j)
                            .isCloseTo(alone[i][j], org.assertj.core.api.Assertions.within(2e-5f));
                }
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> encoder.embed(plans, true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxForwardImages");
    }

    @Test
    void forwardsOfTheViewsHoldAMultipleOfEightImagesFromEightOn() {
        assertThat(BatchEncoder.forwardImages(1)).isEqualTo(1);
        assertThat(BatchEncoder.forwardImages(7)).isEqualTo(7);
        assertThat(BatchEncoder.forwardImages(8)).isEqualTo(8);
        assertThat(BatchEncoder.forwardImages(12)).isEqualTo(8);
        assertThat(BatchEncoder.forwardImages(32)).isEqualTo(32);
        assertThat(BatchEncoder.forwardImages(39)).isEqualTo(32);
    }

    @Test
    void anArtifactWithAnEmbeddingTransformServesItsNormalisedCentredFeatures(@TempDir Path tmp) throws Exception {
        EncoderSpec spec = EncoderSpec.of("resnet-mini", C, S);
        Path dir = tmp.resolve("centred");
        List<float[]> images = List.of(random(1), random(2), random(3));
        float[] h;
        try (NDManager m = SimClrEngine.get().newBaseManager(Devices.choose("cpu"))) {
            SimClrEngine.get().setRandomSeed(11);
            SimClrModel model = SimClrModel.builder().setEncoder(spec).optHead(ProjectionHeadSpec.v1()).build();
            model.initialize(m, DataType.FLOAT32, spec.inputShape(1));
            float[] flat = new float[images.size() * C * S * S];
            for (int i = 0; i < images.size(); i++) {
                System.arraycopy(images.get(i), 0, flat, i * C * S * S, C * S * S);
            }
            try (InferenceEncoder folded = InferenceEncoder.of(model.encoder(), m)) {
                NDArray x = Normalization.centred(C).apply(m.create(flat, new Shape(images.size(), C, S, S)));
                h = folded.embed(x).toFloatArray();
            }
            int d = spec.embeddingDim();
            // The mean of the first two plans' features: the third stays far from it, the first two opposite.
            EmbeddingTransform centre = EmbeddingTransform.fit(EmbeddingTransform.Kind.CENTRE,
                    java.util.Arrays.copyOf(h, 2 * d), d, 0, "two plans");
            ModelArtifact.save(dir, model, new ArtifactInfo("v-centred", null, Normalization.centred(C), "test", 0,
                    java.util.Map.of()), centre);
        }
        try (BatchEncoder served = BatchEncoder.load(dir, 7, Devices.choose("cpu"))) {
            assertThat(served.transform()).isNotNull();
            float[][] out = served.embed(images, false);
            int d = served.dimension();
            float[] mean = served.transform().mean();
            for (int i = 0; i < images.size(); i++) {
                float[] expected = new float[d];
                for (int j = 0; j < d; j++) {
                    expected[j] = h[i * d + j] - mean[j];
                }
                assertThat(cosine(out[i], expected)).as("plan %d", i).isGreaterThan(0.9999f);
                assertThat(norm(out[i])).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-5f));
            }
            assertThat(cosine(out[0], out[1])).as("the two plans the mean was taken of now point apart")
                    .isLessThan(-0.9999f);
        }
    }

    private static float norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return (float) Math.sqrt(s);
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
