package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactInfo;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.augment.AugmentationPolicy;
import io.planstream.simclr.augment.Interpolation;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;
import io.planstream.simclr.train.OptimizerSettings;
import io.planstream.simclr.train.PretrainConfig;
import io.planstream.simclr.train.Pretrainer;
import io.planstream.simclr.train.ProgressListener;
import io.planstream.simclr.train.TinyData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The formulae on vectors worked out by hand, then whole evaluations of a model pretrained for 24
 * steps on 64 tinted stripes and of the same network freshly initialised, on 48 other stripes.
 */
class RepresentationQualityTest {

    private static final int SIZE = 16;
    private static final EncoderSpec ENCODER = EncoderSpec.of("resnet-mini", 1, "small", 3, SIZE);
    private static final ProjectionHeadSpec HEAD = new ProjectionHeadSpec(2, 64, 32, false);
    private static final ImageDataset HELD_OUT = TinyData.stripes(48, 3, SIZE, 99);
    /** The training run's views: colour jitter of synthetic stripes needs more steps than a test has. */
    private static final AugmentationPolicy VIEWS = AugmentationPolicy.cifar(SIZE).withColorStrength(0);
    private static final RepresentationQuality.Options OPTIONS =
            new RepresentationQuality.Options(VIEWS, 0.5f, 16, 1, KnnEvaluation.Options.defaults());

    @TempDir
    static Path tmp;
    private static Path trained;
    private static Path untrained;

    @BeforeAll
    static void models() throws IOException {
        SimClrEngine.get();
        PretrainConfig config = PretrainConfig.builder()
                .setData("stripes")
                .setEncoder(ENCODER)
                .optHead(HEAD)
                .optColorStrength(0.0)
                .optOptimizer(OptimizerSettings.adam())
                .optSeed(3)
                .setBatchSize(16)
                .setEpochs(10)
                .setOutputDir(tmp.resolve("run"))
                .build();
        trained = Pretrainer.run(config, TinyData.stripes(64, 3, SIZE, 7), ProgressListener.NONE).artifact();
        untrained = tmp.resolve("untrained");
        try (NDManager m = NDManager.newBaseManager()) {
            SimClrEngine.get().setRandomSeed(3);
            SimClrModel block = SimClrModel.builder().setEncoder(ENCODER).optHead(HEAD).build();
            block.initialize(m);
            ModelArtifact.save(untrained, block, new ArtifactInfo("untrained", null,
                    Normalization.centred(3), "nothing", 0, Map.of()));
        }
    }

    @Test
    void alignmentShouldBeTheMeanSquaredDistanceOfNormalisedPairs() {
        // pairs after normalising: (1,0)-(0,1): 2; (0,1)-(0,1): 0; (.6,.8)-(.8,.6): .08; (0,0)-(-1,0): 1
        float[] h1 = {1, 0, 0, 2, 3, 4, 0, 0};
        float[] h2 = {0, 3, 0, 1, 4, 3, -5, 0};
        float[] before = h1.clone();
        assertThat(RepresentationQuality.alignment(h1, h2, 2)).isCloseTo((2 + 0 + 0.08 + 1) / 4, offset(1e-7));
        assertThat(h1).containsExactly(before);
        assertThat(RepresentationQuality.alignment(h1, h1, 2)).isZero();
        assertThatThrownBy(() -> RepresentationQuality.alignment(h1, new float[2], 2))
                .hasMessageContaining("same whole number");
    }

    @Test
    void uniformityShouldBeTheLogMeanGaussianKernelOverDistinctPairs() {
        try (NDManager m = NDManager.newBaseManager()) {
            // (2,0), (0,1), (-1,0) normalised: squared distances 2, 4, 2
            float[] three = {2, 0, 0, 1, -1, 0};
            double expected = Math.log((2 * Math.exp(-4) + Math.exp(-8)) / 3);
            assertThat(RepresentationQuality.uniformity(three, 3, 2, m)).isCloseTo(expected, offset(1e-6));
            assertThat(three).containsExactly(2, 0, 0, 1, -1, 0);
            // the four compass points: four pairs at distance^2 2, two opposite pairs at 4
            float[] four = {1, 0, 0, 1, -1, 0, 0, -1};
            assertThat(RepresentationQuality.uniformity(four, 4, 2, m))
                    .isCloseTo(Math.log((4 * Math.exp(-4) + 2 * Math.exp(-8)) / 6), offset(1e-6));
            // a zero row is at distance 1 from each unit row (exp(-2) twice); (1,0)-(0,1) gives exp(-4)
            float[] withZero = {0, 0, 1, 0, 0, 3};
            assertThat(RepresentationQuality.uniformity(withZero, 3, 2, m))
                    .isCloseTo(Math.log((2 * Math.exp(-2) + Math.exp(-4)) / 3), offset(1e-6));
            // identical rows: no spread at all
            assertThat(RepresentationQuality.uniformity(new float[] {1, 1, 2, 2}, 2, 2, m)).isCloseTo(0, offset(1e-6));
            assertThatThrownBy(() -> RepresentationQuality.uniformity(new float[] {1, 0}, 1, 2, m))
                    .hasMessageContaining("at least 2 rows");
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void uniformityShouldNotDependOnTheChunking() {
        float[] h = Synthetic.clusters(10, 3, 4, 2, 71).values();
        try (NDManager m = NDManager.newBaseManager()) {
            double whole = RepresentationQuality.uniformity(h, 30, 4, m);
            for (long elements : new long[] {30, 4 * 30, 29 * 30}) {
                assertThat(RepresentationQuality.uniformity(h, 30, 4, elements, m)).isCloseTo(whole, offset(1e-6));
            }
        }
    }

    @Test
    void shouldGiveIdenticalFiguresForTheSameSeedAndOtherViewsForAnother() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            QualityReport a = RepresentationQuality.evaluate(trained, HELD_OUT, OPTIONS, m);
            QualityReport b = RepresentationQuality.evaluate(trained, HELD_OUT, OPTIONS, m);
            assertThat(b).isEqualTo(a);
            QualityReport other = RepresentationQuality.evaluate(trained, HELD_OUT,
                    new RepresentationQuality.Options(VIEWS, 0.5f, 16, 2, KnnEvaluation.Options.defaults()), m);
            assertThat(other.ntXent()).isNotEqualTo(a.ntXent());
            assertThat(other.alignment()).isNotEqualTo(a.alignment());
            // the un-augmented images do not depend on the seed
            assertThat(other.uniformity()).isEqualTo(a.uniformity());
            assertThat(other.knnTop1()).isEqualTo(a.knnTop1());
            assertThat(m.getManagedArrays()).isEmpty();

            assertThat(a.images()).isEqualTo(48);
            assertThat(a.metrics()).containsOnlyKeys("heldout_ntxent", "alignment", "uniformity", "knn_top1",
                    "heldout_images");
            assertThat(a.metrics()).containsEntry("heldout_ntxent", a.ntXent()).containsEntry("heldout_images", 48.0);
            assertThat(a.knnTop1().getAsDouble()).isBetween(0.0, 1.0);
            assertThat(a.alignment()).isBetween(0.0, 4.0);
            assertThat(a.uniformity()).isBetween(-8.0, 0.0);
        }
    }

    @Test
    void shouldRunTheRetrievalProtocolWhereTheImagesCarryTheirProgrammes() throws IOException {
        // The stripes' class as a one-category programme: relevant means the same class.
        List<Map<String, Integer>> programmes = new ArrayList<>();
        for (int label : HELD_OUT.labels()) {
            programmes.add(Map.of("stripes", label));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            QualityReport with = RepresentationQuality.evaluate(trained, HELD_OUT, programmes, OPTIONS, m);
            QualityReport without = RepresentationQuality.evaluate(trained, HELD_OUT, OPTIONS, m);
            assertThat(without.retrieval()).isNull();
            assertThat(without.metrics()).doesNotContainKeys(QualityReport.RETRIEVAL_MAP, QualityReport.RETRIEVAL_AUC);
            RetrievalResult r = with.retrieval();
            assertThat(r.nQueries()).isEqualTo(48);
            // Each image's programme went with it: the pairs with the same one are the pairs of one class.
            Map<Integer, Integer> perClass = new java.util.HashMap<>();
            for (int label : HELD_OUT.labels()) {
                perClass.merge(label, 1, Integer::sum);
            }
            long sameClass = perClass.values().stream().mapToLong(c -> (long) c * (c - 1) / 2).sum();
            assertThat(r.relevantPairs()).isEqualTo(sameClass);
            assertThat(r.irrelevantPairs()).isEqualTo(48L * 47 / 2 - sameClass);
            assertThat(r.map()).isBetween(0.0, 1.0);
            assertThat(r.auc()).isBetween(0.0, 1.0);
            assertThat(with.metrics()).containsEntry(QualityReport.RETRIEVAL_MAP, r.map()).containsEntry(QualityReport.RETRIEVAL_PRECISION,
                    r.precision()).containsEntry(QualityReport.RETRIEVAL_NDCG, r.ndcg()).containsEntry(QualityReport.RETRIEVAL_AUC, r.auc());
            assertThat(with.ntXent()).as("the other figures do not change").isEqualTo(without.ntXent());
            assertThatThrownBy(() -> RepresentationQuality.evaluate(trained, HELD_OUT, programmes.subList(0, 3), OPTIONS, m))
                    .hasMessageContaining("3 programmes for 48 held-out images");
        }
    }

    @Test
    void aTrainedModelShouldBeatAnUntrainedOneOnHeldOutImages() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            QualityReport t = RepresentationQuality.evaluate(trained, HELD_OUT, OPTIONS, m);
            QualityReport u = RepresentationQuality.evaluate(untrained, HELD_OUT, OPTIONS, m);
            double chance = Math.log(2 * 16 - 1);
            assertThat(t.ntXent()).isLessThan(u.ntXent() - 0.3);
            assertThat(t.uniformity()).isLessThan(u.uniformity() - 0.1);
        }
    }

    @Test
    void shouldPairTheTwoViewsOfEveryImage() throws IOException {
        // No crop, flip or colour: both views of an image are the same picture, so a positive pair
        // is at distance 0 and held-out NT-Xent is far below that of real views.
        AugmentationPolicy none = new AugmentationPolicy("none", SIZE, 1, 1, 1, 1, Interpolation.BILINEAR, 0,
                false, 0, 0, 0, 0, 0.1, 0.1, 2.0);
        try (NDManager m = NDManager.newBaseManager()) {
            QualityReport same = RepresentationQuality.evaluate(trained, HELD_OUT,
                    new RepresentationQuality.Options(none, 0.5f, 16, 1, KnnEvaluation.Options.defaults()), m);
            QualityReport real = RepresentationQuality.evaluate(trained, HELD_OUT, OPTIONS, m);
            assertThat(same.alignment()).isLessThan(1e-9);
            assertThat(real.alignment()).isGreaterThan(0.01);
            assertThat(same.ntXent()).isLessThan(real.ntXent() - 0.3);
        }
    }

    @Test
    void shouldLeaveOutKnnForUnlabelledImagesAndUseOneBatchForFewImages() throws IOException {
        int[] none = new int[5];
        Arrays.fill(none, -1);
        ImageDataset five = new ImageDataset("five", 3, SIZE, SIZE,
                Arrays.copyOf(HELD_OUT.pixels(), 5 * HELD_OUT.imageBytes()), none, List.of());
        try (NDManager m = NDManager.newBaseManager()) {
            QualityReport r = RepresentationQuality.evaluate(trained, five, OPTIONS, m);
            assertThat(r.knnTop1()).isEmpty();
            assertThat(r.metrics()).doesNotContainKey("knn_top1").containsEntry("heldout_images", 5.0);
            // one batch of five: chance is log(2 x 5 - 1)
            assertThat(r.ntXent()).isLessThan(Math.log(9));
            assertThatThrownBy(() -> RepresentationQuality.evaluate(trained, five.head(1), OPTIONS, m))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least 2");
            assertThatThrownBy(() -> RepresentationQuality.evaluate(trained, five,
                    RepresentationQuality.Options.of(VIEWS.withOutputSize(32), 0.5f), m))
                    .hasMessageContaining("32-pixel views but the encoder takes 16");
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }
}
