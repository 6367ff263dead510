package io.planstream.index.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ExactSearchTest {

    /** The obvious loop: every score, sorted. */
    private static int[] naive(VectorSet data, float[] q, int k) {
        List<Integer> ids = new ArrayList<>();
        double[] scores = new double[data.size()];
        for (int i = 0; i < data.size(); i++) {
            float[] x = data.get(i);
            double s = 0;
            for (int j = 0; j < x.length; j++) {
                s += x[j] * q[j];
            }
            scores[i] = s;
            ids.add(i);
        }
        ids.sort(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
        return ids.subList(0, Math.min(k, ids.size())).stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void shouldAgreeWithTheNaiveLoop() {
        // sizes that are not multiples of the tile or the query chunk
        ClusteredVectors generator = new ClusteredVectors(24, 5, 1.0, 3);
        VectorSet data = generator.sample(1003, 4);
        VectorSet queries = generator.sample(131, 5);
        AtomicInteger lastProgress = new AtomicInteger();
        int[][] top = ExactSearch.topK(data, queries, 7, done -> lastProgress.accumulateAndGet(done, Math::max));
        assertThat(lastProgress.get()).isEqualTo(131);
        for (int q = 0; q < queries.size(); q++) {
            assertThat(top[q]).as("query %d", q).containsExactly(naive(data, queries.get(q), 7));
        }
    }

    @Test
    void shouldReturnAllTheDataWhenKExceedsIt() {
        VectorSet data = new ClusteredVectors(4, 2, 0.3, 1).sample(5, 2);
        int[][] top = ExactSearch.topK(data, data, 10, null);
        for (int q = 0; q < 5; q++) {
            assertThat(top[q]).hasSize(5).startsWith(q).containsExactly(naive(data, data.get(q), 10));
        }
    }
}
