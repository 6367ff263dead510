package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.EncoderSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FeatureExtractorTest {

    private static final EncoderSpec GREY_16 = EncoderSpec.of("resnet-mini", 1, "small", 1, 16);

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    @Test
    void shouldGiveOneVectorOfTheEmbeddingDimensionPerImageAndTheSameAgain() {
        ImageDataset data = Synthetic.stripes(10, 16, 1);
        try (NDManager m = NDManager.newBaseManager();
             FrozenEncoder encoder = FrozenEncoder.random(GREY_16, 5, m)) {
            List<long[]> updates = new ArrayList<>();
            Features f = FeatureExtractor.encoder(encoder, 4).extract(data, (done, total) -> updates.add(new long[] {done, total}));
            assertThat(f.count()).isEqualTo(10);
            assertThat(f.dim()).isEqualTo(128).isEqualTo(encoder.embeddingDim());
            assertThat(f.labels()).containsExactly(data.labels());
            assertThat(updates).extracting(u -> u[0]).containsExactly(4L, 8L, 10L);
            assertThat(updates.get(2)[1]).isEqualTo(10L);
            // h comes after a ReLU and average pooling: non-negative, and not all zero
            float max = 0;
            for (float v : f.values()) {
                assertThat(v).isGreaterThanOrEqualTo(0f);
                max = Math.max(max, v);
            }
            assertThat(max).isGreaterThan(0f);

            Features again = FeatureExtractor.encoder(encoder, 4).extract(data, ProgressListener.none());
            assertThat(again.values()).containsExactly(f.values());
            Features otherBatches = FeatureExtractor.encoder(encoder, 7).extract(data, ProgressListener.none());
            for (int i = 0; i < f.values().length; i++) {
                assertThat(otherBatches.values()[i]).isCloseTo(f.values()[i], offset(1e-5f));
            }
        }
    }

    @Test
    void theSameSeedShouldGiveTheSameRandomEncoder() {
        ImageDataset data = Synthetic.stripes(4, 16, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a;
            float[] b;
            float[] c;
            try (FrozenEncoder e = FrozenEncoder.random(GREY_16, 3, m)) {
                a = FeatureExtractor.encoder(e, 8).extract(data, ProgressListener.none()).values();
            }
            try (FrozenEncoder e = FrozenEncoder.random(GREY_16, 3, m)) {
                b = FeatureExtractor.encoder(e, 8).extract(data, ProgressListener.none()).values();
            }
            try (FrozenEncoder e = FrozenEncoder.random(GREY_16, 4, m)) {
                c = FeatureExtractor.encoder(e, 8).extract(data, ProgressListener.none()).values();
            }
            assertThat(b).containsExactly(a);
            assertThat(c).isNotEqualTo(a);
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void shouldResizeAndConvertChannelsToWhatTheEncoderTakes() {
        ImageDataset grey24 = Synthetic.stripes(3, 24, 3);
        EncoderSpec rgb16 = EncoderSpec.of("resnet-mini", 1, "small", 3, 16);
        try (NDManager m = NDManager.newBaseManager();
             FrozenEncoder encoder = FrozenEncoder.random(rgb16, 5, m)) {
            Features f = FeatureExtractor.encoder(encoder, 2).extract(grey24, ProgressListener.none());
            assertThat(f.count()).isEqualTo(3);
            assertThat(f.dim()).isEqualTo(128);
            // a constant grey image stays that grey through the resize and the copy to RGB
            byte[] flat = new byte[24 * 24];
            java.util.Arrays.fill(flat, (byte) 102);
            ImageDataset constant = new ImageDataset("flat", 1, 24, 24, flat, new int[] {0}, List.of("a"));
            float[] x = encoder.preprocessor().batch(constant, new int[] {0}, m).toFloatArray();
            assertThat(x).hasSize(3 * 16 * 16);
            for (float v : x) {
                assertThat(v).isCloseTo(102 / 255f * 2 - 1, offset(1e-5f));
            }
        }
    }

    @Test
    void resamplingRowsShouldAverageToOne() {
        float[] m = ImagePreprocessor.resampling(16, 28, 0, 28);
        for (int o = 0; o < 16; o++) {
            double sum = 0;
            for (int p = 0; p < 28; p++) {
                sum += m[o * 28 + p];
            }
            assertThat(sum).isCloseTo(1, offset(1e-6));
        }
    }

    @Test
    void pixelsShouldBeTheFlattenedImageInZeroToOne() {
        ImageDataset data = Synthetic.stripes(5, 8, 4);
        Features f = FeatureExtractor.pixels().extract(data, ProgressListener.none());
        assertThat(f.count()).isEqualTo(5);
        assertThat(f.dim()).isEqualTo(64);
        assertThat(f.values()[64 + 9]).isEqualTo((data.pixels()[64 + 9] & 0xFF) / 255f);
    }

    @Test
    void shouldRefuseUnlabelledImages() {
        ImageDataset unlabelled = new ImageDataset("u", 1, 8, 8, new byte[64], new int[] {-1}, List.of());
        assertThatThrownBy(() -> FeatureExtractor.pixels().extract(unlabelled, ProgressListener.none()))
                .hasMessageContaining("not labelled");
    }
}
