package io.planstream.index.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.index.lucene.HnswParams;
import io.planstream.index.vectors.ClusteredVectors;
import io.planstream.index.vectors.VectorSet;

class IndexBenchmarkTest {

    @TempDir
    Path tmp;

    @Test
    void shouldMeasureRecallAndRatesOfASmallIndex() throws IOException {
        ClusteredVectors generator = new ClusteredVectors(32, ClusteredVectors.defaultClusters(2000), ClusteredVectors.DEFAULT_SPREAD, 1);
        VectorSet data = generator.sample(2000, 2);
        VectorSet queries = generator.sample(100, 3);
        List<String> phases = new ArrayList<>();
        IndexBenchmark.Result r = IndexBenchmark.run(new IndexBenchmark.Config(data, queries, 10, List.of(10, 100),
                HnswParams.defaults(), tmp.resolve("idx"), 2, 2), (phase, done, total) -> {
                    if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase)) {
                        phases.add(phase);
                    }
                }, numCandidates -> phases.add("beside " + numCandidates));
        // A peer's pass follows each of the two timed passes with each num_candidates.
        assertThat(phases).containsExactly("exact top-k", "index", "force merge", "search num_candidates=10",
                "beside 10", "search num_candidates=10", "beside 10", "search num_candidates=100", "beside 100",
                "search num_candidates=100", "beside 100");
        assertThat(r.vectors()).isEqualTo(2000);
        assertThat(r.buildVectorsPerS()).isPositive();
        assertThat(r.rows()).hasSize(2);
        IndexBenchmark.Row wide = r.rows().get(1);
        assertThat(wide.numCandidates()).isEqualTo(100);
        assertThat(wide.recall()).isGreaterThan(0.9);
        assertThat(wide.recall()).isGreaterThanOrEqualTo(r.rows().get(0).recall());
        assertThat(wide.qps()).isPositive();
        assertThat(wide.luceneQps()).isPositive();
        assertThat(wide.index().p99Ms()).isGreaterThanOrEqualTo(wide.index().p50Ms());
        assertThat(wide.lucene().p50Ms()).isPositive();

        // Built flat by two threads, merged by the merge workers: the one segment has a graph, so a search visits a
        // fraction of the vectors (an exhaustive search of a flat segment would visit all 2,000).
        try (org.apache.lucene.index.DirectoryReader reader = org.apache.lucene.index.DirectoryReader.open(
                org.apache.lucene.store.FSDirectory.open(tmp.resolve("idx")))) {
            assertThat(reader.leaves()).hasSize(1);
            org.apache.lucene.index.LeafReader leaf = reader.leaves().get(0).reader();
            long visited = leaf.searchNearestVectors(io.planstream.index.lucene.VectorIndex.VECTOR_FIELD, queries.get(0), 10,
                    org.apache.lucene.search.AcceptDocs.fromLiveDocs(null, leaf.maxDoc()), Integer.MAX_VALUE).totalHits.value();
            assertThat(visited).isLessThan(1000);
        }
    }

    @Test
    void shouldRankByCosineWhateverTheLengthOfTheVectors() throws IOException {
        // vectors of random lengths, as in fvecs files of other embeddings: a ground truth by raw
        // dot product would favour long vectors and disagree with the index
        ClusteredVectors generator = new ClusteredVectors(16, 20, ClusteredVectors.DEFAULT_SPREAD, 4);
        VectorSet unit = generator.sample(1000, 5);
        float[] scaled = unit.data().clone();
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < unit.size(); i++) {
            float length = (float) (0.1 + 10 * random.nextDouble());
            for (int j = 0; j < 16; j++) {
                scaled[i * 16 + j] *= length;
            }
        }
        IndexBenchmark.Result r = IndexBenchmark.run(new IndexBenchmark.Config(new VectorSet(16, scaled),
                generator.sample(50, 7), 10, List.of(100), HnswParams.defaults(), tmp.resolve("idx"), 1, 2), (p, d, t) -> { });
        assertThat(r.rows().get(0).recall()).isGreaterThan(0.95);
    }

    @Test
    void shouldRefuseInconsistentSettings() {
        VectorSet data = new ClusteredVectors(8, 2, 0.5, 1).sample(10, 2);
        VectorSet queries = new ClusteredVectors(4, 2, 0.5, 1).sample(10, 2);
        assertThatThrownBy(() -> new IndexBenchmark.Config(data, queries, 10, List.of(100), HnswParams.defaults(), tmp, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queries have 4 dimensions, the vectors 8");
        assertThatThrownBy(() -> new IndexBenchmark.Config(data, data, 10, List.of(100, 5), HnswParams.defaults(), tmp, 1, 1))
                .hasMessage("k must be at most numCandidates (5), got 10");
    }
}
