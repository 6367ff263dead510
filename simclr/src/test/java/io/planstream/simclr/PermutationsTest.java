package io.planstream.simclr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PermutationsTest {

    @Test
    void shouldOrderIndicesAsCollectionsShuffleDoesForTheSameSeed() {
        List<Integer> shuffled = new ArrayList<>(IntStream.range(0, 100).boxed().toList());
        Collections.shuffle(shuffled, new Random(42));

        int[] p = Permutations.random(100, new Random(42));

        assertThat(p).containsExactly(shuffled.stream().mapToInt(Integer::intValue).toArray());
        assertThat(p).isNotEqualTo(IntStream.range(0, 100).toArray());
    }

    @Test
    void shouldGiveEmptyAndSingleOrders() {
        assertThat(Permutations.random(0, new Random(1))).isEmpty();
        assertThat(Permutations.random(1, new Random(1))).containsExactly(0);
    }
}
