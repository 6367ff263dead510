package io.planstream.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.index.filter.Filter;
import io.planstream.index.filter.InvalidFilterException;
import io.planstream.index.vectors.ClusteredVectors;
import io.planstream.index.vectors.VectorSet;

/**
 * Filtered, paged and thresholded searches against exact filtered search on seeded vectors: image i has
 * {@code rooms.bedroom = i % 5}, {@code rooms.total = i % 11}, {@code style = "s" + i % 3}, the format
 * {@code rplan} for even i, and was uploaded at second i.
 */
class FilteredSearchTest {

    private static final int DIM = 24;
    private static final int N = 3000;

    @TempDir
    Path tmp;

    private VectorIndex index;
    private VectorSet data;
    private VectorSet queries;

    @BeforeEach
    void build() throws IOException {
        ClusteredVectors generator = new ClusteredVectors(DIM, 30, ClusteredVectors.DEFAULT_SPREAD, 5);
        data = generator.sample(N, 6);
        queries = generator.sample(20, 7);
        index = VectorIndex.open(tmp.resolve("idx"), DIM, new HnswParams(HnswParams.Type.HNSW, 16, 100));
        for (int i = 0; i < N; i++) {
            index.upsert(Integer.toString(i), data.get(i), 0L, i * 1000L, i % 2 == 0 ? "RPLAN" : "PICTURE",
                    Map.of("rooms.bedroom", Integer.toString(i % 5), "rooms.total", Integer.toString(i % 11), "style", "s" + i % 3));
            if (i % 700 == 0) {
                index.refresh(); // several segments
            }
        }
        index.refresh();
    }

    @AfterEach
    void close() throws IOException {
        index.close();
    }

    @Test
    void shouldReturnOnlyMatchingImagesWithHighRecallAtEverySelectivity() throws IOException {
        check(List.of("rooms.bedroom:3"), i -> i % 5 == 3, 0.95);
        check(List.of("rooms.total:[3 TO 5]", "format:rplan"), i -> i % 11 >= 3 && i % 11 <= 5 && i % 2 == 0, 0.95);
        check(List.of("style:s1", "rooms.total:[* TO 0]"), i -> i % 3 == 1 && i % 11 == 0, 0.95);
        check(List.of("uploaded:[1970-01-01T00:00:10Z TO 1970-01-01T00:00:40Z]"), i -> i >= 10 && i <= 40, 0.95);
        check(List.of("rooms.bedroom:3.0"), i -> i % 5 == 3, 0.95);
    }

    /** Whenever k images match, k come back: a filter is applied inside the graph search, never after it. */
    @Test
    void shouldReturnKHitsWheneverKImagesMatchEvenAVerySelectiveFilter() throws IOException {
        // images 100..104 only: 5 of 3000
        List<Filter> filters = Filter.parseAll(List.of("uploaded:[100000 TO 104000]"));
        List<VectorIndex.Hit> hits = index.search(queries.get(0), new VectorIndex.KnnRequest(5, 50, 0, null, filters, null));
        assertThat(hits).extracting(VectorIndex.Hit::id).containsExactlyInAnyOrder("100", "101", "102", "103", "104");
        assertThat(index.search(queries.get(0), new VectorIndex.KnnRequest(10, 50, 0, null, filters, null))).hasSize(5);
    }

    @Test
    void shouldCutConsistentPagesFromOneRankedList() throws IOException {
        List<Filter> filters = Filter.parseAll(List.of("rooms.bedroom:[1 TO 2]"));
        List<VectorIndex.Hit> all = index.search(queries.get(3), new VectorIndex.KnnRequest(30, 100, 0, null, filters, null));
        List<VectorIndex.Hit> pages = new ArrayList<>();
        for (int from = 0; from < 30; from += 10) {
            pages.addAll(index.search(queries.get(3), new VectorIndex.KnnRequest(10, 100, from, null, filters, null)));
        }
        assertThat(pages).isEqualTo(all);
        List<VectorIndex.Hit> unfiltered = index.search(queries.get(3), new VectorIndex.KnnRequest(20, 100, 0, null, List.of(), null));
        List<VectorIndex.Hit> second = index.search(queries.get(3), new VectorIndex.KnnRequest(10, 100, 10, null, List.of(), null));
        assertThat(second).isEqualTo(unfiltered.subList(10, 20));
        assertThatThrownBy(() -> new VectorIndex.KnnRequest(10, 100, 9991, null, List.of(), null))
                .hasMessage("from must be at least 0 and from + k at most 10000, got from 9991 and k 10");
    }

    @Test
    void shouldDropHitsUnderTheMinimumScore() throws IOException {
        List<VectorIndex.Hit> all = index.search(queries.get(1), new VectorIndex.KnnRequest(50, 100, 0, null, List.of(), null));
        float cut = all.get(20).score();
        List<VectorIndex.Hit> above = index.search(queries.get(1), new VectorIndex.KnnRequest(50, 100, 0, null, List.of(), cut));
        assertThat(above).isNotEmpty().allSatisfy(h -> assertThat(h.score()).isGreaterThanOrEqualTo(cut));
        assertThat(above).isEqualTo(all.stream().filter(h -> h.score() >= cut).toList());
        assertThatThrownBy(() -> new VectorIndex.KnnRequest(5, 10, 0, null, List.of(), 1.5f))
                .hasMessage("minScore must be a cosine between -1 and 1, got 1.5");
    }

    @Test
    void shouldNameAnUnknownFieldAndARangeOverWords() {
        assertThatThrownBy(() -> index.search(queries.get(0), new VectorIndex.KnnRequest(5, 10, 0, null,
                Filter.parseAll(List.of("rooms.garage:1")), null)))
                .isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining("filter 'rooms.garage:1' names an unknown field 'rooms.garage'")
                .hasMessageContaining("rooms.bedroom").hasMessageContaining("style");
        assertThatThrownBy(() -> index.search(queries.get(0), new VectorIndex.KnnRequest(5, 10, 0, null,
                Filter.parseAll(List.of("style:[a TO b]")), null)))
                .hasMessageContaining("'style' holds no numbers");
        assertThatThrownBy(() -> index.search(queries.get(0), new VectorIndex.KnnRequest(5, 10, 0, null,
                Filter.parseAll(List.of("rooms.total:[three TO 5]")), null)))
                .hasMessageContaining("'three' is not a number");
    }

    @Test
    void shouldDropADeletedImageFromFilteredSearches() throws IOException {
        List<Filter> filters = Filter.parseAll(List.of("rooms.bedroom:3"));
        String first = index.search(queries.get(2), new VectorIndex.KnnRequest(1, 50, 0, null, filters, null)).get(0).id();
        index.delete(first);
        index.refresh();
        assertThat(index.search(queries.get(2), new VectorIndex.KnnRequest(10, 50, 0, null, filters, null)))
                .extracting(VectorIndex.Hit::id).doesNotContain(first);
    }

    private void check(List<String> filters, IntPredicate matches, double minRecall) throws IOException {
        List<Filter> parsed = Filter.parseAll(filters);
        double recall = 0;
        for (int q = 0; q < queries.size(); q++) {
            List<VectorIndex.Hit> hits = index.search(queries.get(q), new VectorIndex.KnnRequest(10, 100, 0, null, parsed, null));
            Set<String> truth = exact(queries.get(q), matches, 10);
            assertThat(hits).as("%s", filters).hasSize(truth.size());
            for (VectorIndex.Hit h : hits) {
                assertThat(matches.test(Integer.parseInt(h.id()))).as("%s returned %s", filters, h.id()).isTrue();
            }
            recall += hits.stream().filter(h -> truth.contains(h.id())).count() / (double) truth.size();
        }
        assertThat(recall / queries.size()).as("recall of %s", filters).isGreaterThanOrEqualTo(minRecall);
    }

    private Set<String> exact(float[] q, IntPredicate matches, int k) {
        List<Double> scores = new ArrayList<>();
        double qn = norm(q);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            if (matches.test(i)) {
                float[] v = data.get(i);
                double dot = 0;
                for (int j = 0; j < DIM; j++) {
                    dot += q[j] * v[j];
                }
                ids.add(i);
                scores.add(dot / (qn * norm(v)));
            }
        }
        List<Integer> order = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(scores.get(b), scores.get(a)));
        Set<String> top = new HashSet<>();
        for (int i = 0; i < Math.min(k, order.size()); i++) {
            top.add(Integer.toString(ids.get(order.get(i))));
        }
        return top;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f * f;
        }
        return Math.sqrt(s);
    }
}
