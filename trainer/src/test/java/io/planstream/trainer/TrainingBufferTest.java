package io.planstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.planstream.simclr.data.ImageDataset;

class TrainingBufferTest {

    private static float[] image(float value) {
        float[] x = new float[3 * 8 * 8];
        Arrays.fill(x, value);
        return x;
    }

    private static Set<Integer> values(ImageDataset d) {
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(d.pixels()[i * 3 * 8 * 8] & 0xFF);
        }
        return out;
    }

    @Test
    void shouldKeepTheNewestImagesInRecentMode() {
        TrainingBuffer b = new TrainingBuffer(3, 8, 4, 1 << 20, TrainingBuffer.Sampling.RECENT, 1);
        for (int i = 0; i < 10; i++) {
            b.offer("id-" + i, image(i / 255f), null);
        }
        assertThat(b.size()).isEqualTo(4);
        assertThat(b.seen()).isEqualTo(10);
        TrainingBuffer.Split s = b.snapshot(0.0, "t");
        assertThat(values(s.train())).containsExactlyInAnyOrder(6, 7, 8, 9);
        assertThat(s.heldOut().size()).isZero();
    }

    @Test
    void shouldSampleTheWholeStreamUniformlyInReservoirMode() {
        // 100 buffers of 10 from a stream of 100: each image should stay in about 10% of them.
        int[] kept = new int[100];
        for (int seed = 0; seed < 100; seed++) {
            TrainingBuffer b = new TrainingBuffer(3, 8, 10, 1 << 20, TrainingBuffer.Sampling.RESERVOIR, seed);
            for (int i = 0; i < 100; i++) {
                b.offer("id-" + i, image(i / 255f), null);
            }
            assertThat(b.size()).isEqualTo(10);
            values(b.snapshot(0.0, "t").train()).forEach(v -> kept[v]++);
        }
        int firstHalf = Arrays.stream(kept, 0, 50).sum();
        int secondHalf = Arrays.stream(kept, 50, 100).sum();
        assertThat(firstHalf + secondHalf).isEqualTo(1000);
        // A most-recent window would keep none of the first half; a uniform sample about 500.
        assertThat(firstHalf).isBetween(400, 600);
    }

    @Test
    void shouldReplaceAnIdInPlaceRemoveDeletedOnesAndBoundMemory() {
        TrainingBuffer b = new TrainingBuffer(3, 8, 1000, 3 * 8 * 8 * 5, TrainingBuffer.Sampling.RESERVOIR, 1);
        assertThat(b.capacity()).isEqualTo(5);
        b.offer("a", image(0.1f), "x");
        b.offer("b", image(0.2f), "y");
        b.offer("a", image(0.3f), "x");
        assertThat(b.size()).isEqualTo(2);
        assertThat(values(b.snapshot(0.0, "t").train())).containsExactlyInAnyOrder(Math.round(0.3f * 255), Math.round(0.2f * 255));
        b.remove("a");
        b.remove("nobody");
        assertThat(b.size()).isEqualTo(1);
        assertThat(b.bytes()).isEqualTo(3 * 8 * 8);
        assertThatThrownBy(() -> b.offer("c", new float[5], null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3x8x8");
        assertThatThrownBy(() -> new TrainingBuffer(3, 8, 10, 100, TrainingBuffer.Sampling.RECENT, 1))
                .hasMessageContaining("fewer than 2 images");
    }

    @Test
    void shouldHoldOutTheSameIdsEveryRoundWithLabels() {
        TrainingBuffer b = new TrainingBuffer(3, 8, 1000, 1 << 24, TrainingBuffer.Sampling.RESERVOIR, 1);
        for (int i = 0; i < 400; i++) {
            b.offer("plan-" + i, image((i % 200) / 255f), i % 2 == 0 ? "3" : "5");
        }
        TrainingBuffer.Split first = b.snapshot(0.2, "t");
        assertThat(first.heldOut().size()).isBetween(50, 110);
        assertThat(first.train().size() + first.heldOut().size()).isEqualTo(400);
        assertThat(first.heldOut().labelled()).isTrue();
        assertThat(first.heldOut().classNames()).containsExactly("3", "5");
        for (int i = 400; i < 450; i++) {
            b.offer("plan-" + i, image(0.5f), "3");
        }
        TrainingBuffer.Split second = b.snapshot(0.2, "t");
        // The side depends on the id alone: ids held out before still are, so no round trains on the gate's images.
        long heldBefore = java.util.stream.IntStream.range(0, 400).filter(i -> TrainingBuffer.heldOut("plan-" + i, 0.2)).count();
        long heldNew = java.util.stream.IntStream.range(400, 450).filter(i -> TrainingBuffer.heldOut("plan-" + i, 0.2)).count();
        assertThat(first.heldOut().size()).isEqualTo(heldBefore);
        assertThat(second.heldOut().size()).isEqualTo(heldBefore + heldNew);
        b.offer("unlabelled", image(0.5f), null);
        assertThat(b.snapshot(0.2, "t").train().labelled()).isFalse();
    }

    @Test
    void shouldHandTheHeldOutProgrammesInTheHeldOutOrderOnlyWhereEveryImageHasOne() {
        TrainingBuffer b = new TrainingBuffer(3, 8, 1000, 1 << 24, TrainingBuffer.Sampling.RESERVOIR, 1);
        for (int i = 0; i < 100; i++) {
            b.offer("plan-" + i, image(i / 255f), null, Map.of("bedroom_count", i));
        }
        TrainingBuffer.Split s = b.snapshot(0.3, "t");
        assertThat(s.heldOutProgrammes()).hasSize(s.heldOut().size());
        // The programme of each held-out image is its own: image i has value i and programme i.
        for (int k = 0; k < s.heldOut().size(); k++) {
            int value = s.heldOut().pixels()[k * 3 * 8 * 8] & 0xFF;
            assertThat(s.heldOutProgrammes().get(k)).containsExactly(Map.entry("bedroom_count", value));
        }
        String held = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "plan-" + i)
                .filter(id -> TrainingBuffer.heldOut(id, 0.3)).findFirst().orElseThrow();
        b.offer(held, image(0.5f), null);
        assertThat(b.snapshot(0.3, "t").heldOutProgrammes()).as("one held-out picture without a programme").isNull();
        b.remove(held);
        assertThat(b.snapshot(0.3, "t").heldOutProgrammes()).hasSize(s.heldOut().size() - 1);
    }

    @Test
    void shouldRefuseAnUnknownSamplingByName() {
        assertThat(TrainingBuffer.Sampling.parse(" Recent ")).isEqualTo(TrainingBuffer.Sampling.RECENT);
        assertThatThrownBy(() -> TrainingBuffer.Sampling.parse("fifo")).hasMessageContaining("reservoir or recent");
    }
}
