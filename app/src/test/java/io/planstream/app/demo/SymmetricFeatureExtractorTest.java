package io.planstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.eval.FeatureExtractor;
import io.planstream.simclr.eval.Features;
import io.planstream.simclr.eval.ProgressListener;

/** The mean over the 8 symmetries: the same features for a plan however it is turned or flipped. */
class SymmetricFeatureExtractorTest {

    private static final ImageDataset PLANS = random(3, 3, 5);

    @Test
    void shouldGiveEveryTurnedOrFlippedPlanTheFeaturesOfTheOriginal() {
        FeatureExtractor symmetric = new SymmetricFeatureExtractor(FeatureExtractor.pixels());
        Features original = symmetric.extract(PLANS, ProgressListener.none());

        for (PlanTransform t : PlanTransform.values()) {
            Features turned = symmetric.extract(t.apply(PLANS), ProgressListener.none());
            assertThat(turned.values()).as(t.id()).containsExactly(original.values(), within(1e-6f));
        }
        // Not the pixels themselves: the mean of pixel (0, 0) is the mean of the four corners.
        Features pixels = FeatureExtractor.pixels().extract(PLANS, ProgressListener.none());
        int side = PLANS.width();
        float corners = (pixels.values()[0] + pixels.values()[side - 1] + pixels.values()[side * (side - 1)]
                + pixels.values()[side * side - 1]) / 4;
        assertThat(original.values()[0]).isCloseTo(corners, within(1e-6f));
        assertThat(original.labels()).containsExactly(pixels.labels());
    }

    @Test
    void shouldReportProgressOverTheEightPasses() {
        List<Long> done = new ArrayList<>();
        List<Long> totals = new ArrayList<>();
        new SymmetricFeatureExtractor(FeatureExtractor.pixels()).extract(PLANS, (d, total) -> {
            done.add(d);
            totals.add(total);
        });

        assertThat(totals).containsOnly(8L * PLANS.size());
        assertThat(done).isSorted().last().isEqualTo(8L * PLANS.size());
    }

    private static ImageDataset random(int images, int channels, int side) {
        byte[] pixels = new byte[images * channels * side * side];
        new Random(7).nextBytes(pixels);
        int[] labels = new int[images];
        for (int i = 0; i < images; i++) {
            labels[i] = i % 2;
        }
        return new ImageDataset("random", channels, side, side, pixels, labels, List.of("a", "b"));
    }
}
