package io.planstream.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import io.planstream.index.vectors.ClusteredVectors;
import io.planstream.index.vectors.ExactSearch;
import io.planstream.index.vectors.VectorSet;

class VectorIndexTest {

    private static final int DIM = 32;

    @TempDir
    Path tmp;

    private static float[][] randomVectors(int n, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] out = new float[n][dim];
        for (float[] v : out) {
            for (int j = 0; j < dim; j++) {
                v[j] = (float) random.nextGaussian();
            }
        }
        return out;
    }

    private static float[] unit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / Math.sqrt(sum));
        }
        return u;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        float[] ua = unit(a);
        float[] ub = unit(b);
        for (int i = 0; i < a.length; i++) {
            dot += ua[i] * ub[i];
        }
        return dot;
    }

    private VectorIndex openWith(float[][] vectors) throws IOException {
        VectorIndex index = VectorIndex.open(tmp.resolve("idx"), DIM, HnswParams.defaults());
        for (int i = 0; i < vectors.length; i++) {
            index.upsert(Integer.toString(i), vectors[i], 1000L + i, i % 2 == 0 ? null : 500L + i);
        }
        index.refresh();
        return index;
    }

    @Test
    void shouldFindAStoredVectorAsItsOwnNearestNeighbourWithCosineOne() throws IOException {
        float[][] vectors = randomVectors(300, DIM, 1);
        try (VectorIndex index = openWith(vectors)) {
            List<VectorIndex.Hit> hits = index.search(vectors[7], 5, 50, null);
            assertThat(hits).hasSize(5);
            assertThat(hits.get(0).id()).isEqualTo("7");
            assertThat(hits.get(0).score()).isCloseTo(1f, within(1e-5f));
            assertThat(hits).isSortedAccordingTo(Comparator.comparing(VectorIndex.Hit::score).reversed());
            for (VectorIndex.Hit hit : hits) {
                assertThat((double) hit.score()).isCloseTo(cosine(vectors[7], vectors[Integer.parseInt(hit.id())]), within(1e-5));
            }

            List<VectorIndex.Hit> others = index.search(vectors[7], 5, 50, "7");
            assertThat(others).hasSize(5).extracting(VectorIndex.Hit::id).doesNotContain("7");
            assertThat(others.subList(0, 4)).isEqualTo(hits.subList(1, 5));
        }
    }

    @Test
    void shouldSampleLiveImagesWithTheirStoredVectorsTheSameWayForTheSameSeed() throws IOException {
        float[][] vectors = randomVectors(200, DIM, 11);
        try (VectorIndex index = openWith(vectors)) {
            index.delete("5");
            index.commit(java.util.Map.of());
            index.refresh();
            List<VectorIndex.Stored> sample = index.sample(50, 3);
            assertThat(sample).hasSize(50).extracting(VectorIndex.Stored::id).doesNotHaveDuplicates().doesNotContain("5");
            for (VectorIndex.Stored s : sample) {
                assertThat(s.vector()).containsExactly(unit(vectors[Integer.parseInt(s.id())]), within(1e-6f));
            }
            assertThat(index.sample(50, 3)).extracting(VectorIndex.Stored::id)
                    .containsExactlyElementsOf(sample.stream().map(VectorIndex.Stored::id).toList());
            // Asked for more than it holds: every live image once.
            assertThat(index.sample(VectorIndex.MAX_SAMPLE, 1)).hasSize(199);
            assertThatThrownBy(() -> index.sample(VectorIndex.MAX_SAMPLE + 1, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sample must be between 1 and 10000");
        }
    }

    @Test
    void shouldReturnKHitsWhenTheExcludedIdIsNotAmongThem() throws IOException {
        float[][] vectors = randomVectors(100, DIM, 2);
        try (VectorIndex index = openWith(vectors)) {
            assertThat(index.search(vectors[3], 4, 20, "no-such-image")).hasSize(4)
                    .isEqualTo(index.search(vectors[3], 4, 20, null));
        }
    }

    @Test
    void shouldSeeChangesOnlyAfterRefresh() throws IOException {
        float[][] vectors = randomVectors(3, DIM, 3);
        try (VectorIndex index = VectorIndex.open(tmp.resolve("idx"), DIM, HnswParams.defaults())) {
            assertThat(index.search(vectors[0], 1, 10, null)).isEmpty();
            index.upsert("a", vectors[0], 1L, 2L);
            assertThat(index.numDocs()).isZero();
            assertThat(index.contains("a")).isFalse();
            assertThat(index.refresh()).isTrue();
            assertThat(index.numDocs()).isEqualTo(1);
            assertThat(index.contains("a")).isTrue();
            assertThat(index.refresh()).isFalse();
            assertThat(index.search(vectors[1], 3, 10, null)).extracting(VectorIndex.Hit::id).containsExactly("a");
        }
    }

    @Test
    void shouldReplaceTheDocumentOfTheSameId() throws IOException {
        float[][] vectors = randomVectors(50, DIM, 4);
        float[] replacement = randomVectors(1, DIM, 99)[0];
        try (VectorIndex index = openWith(vectors)) {
            index.upsert("10", replacement, 5L, null);
            index.refresh();
            assertThat(index.numDocs()).isEqualTo(50);
            VectorIndex.Hit top = index.search(replacement, 1, 20, null).get(0);
            assertThat(top.id()).isEqualTo("10");
            assertThat(top.score()).isCloseTo(1f, within(1e-5f));
            assertThat(index.vector("10")).hasValueSatisfying(v -> assertThat(v).containsExactly(unit(replacement), within(1e-6f)));
        }
    }

    @Test
    void shouldDelete() throws IOException {
        float[][] vectors = randomVectors(20, DIM, 5);
        try (VectorIndex index = openWith(vectors)) {
            index.delete("4");
            index.delete("never-indexed");
            index.refresh();
            assertThat(index.numDocs()).isEqualTo(19);
            assertThat(index.contains("4")).isFalse();
            assertThat(index.vector("4")).isEmpty();
            assertThat(index.search(vectors[4], 19, 100, null)).extracting(VectorIndex.Hit::id).doesNotContain("4").hasSize(19);
        }
    }

    @Test
    void shouldReturnTheNormalisedVectorOfAnId() throws IOException {
        float[][] vectors = randomVectors(10, DIM, 6);
        try (VectorIndex index = openWith(vectors)) {
            float[] v = index.vector("3").orElseThrow();
            assertThat(v).containsExactly(unit(vectors[3]), within(1e-6f));
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(norm).isCloseTo(1, within(1e-5));
            assertThat(index.vector("unknown")).isEmpty();
        }
    }

    @Test
    void shouldKeepOnlyCommittedDocumentsAndOffsetsAcrossAReopen() throws IOException {
        float[][] vectors = randomVectors(15, DIM, 7);
        Path dir = tmp.resolve("idx");
        try (VectorIndex index = VectorIndex.open(dir, DIM, HnswParams.defaults())) {
            assertThat(index.committedOffsets()).isEmpty();
            for (int i = 0; i < 10; i++) {
                index.upsert(Integer.toString(i), vectors[i], i, null);
            }
            index.commit(Map.of(0, 10L, 2, 5L), Map.of(1, 41L));
            assertThat(index.committedOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 10L, 2, 5L));
            assertThat(index.committedSources()).containsExactlyInAnyOrderEntriesOf(Map.of(1, 41L));
            for (int i = 10; i < 15; i++) {
                index.upsert(Integer.toString(i), vectors[i], i, null);
            }
            index.delete("3");
            index.refresh();
            assertThat(index.numDocs()).isEqualTo(14);
        }
        try (VectorIndex index = VectorIndex.open(dir, DIM, HnswParams.defaults())) {
            assertThat(index.rebuilt()).isFalse();
            assertThat(index.committedOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 10L, 2, 5L));
            assertThat(index.committedSources()).as("the upload positions it holds, for read-your-writes tokens")
                    .containsExactlyInAnyOrderEntriesOf(Map.of(1, 41L));
            index.commit(Map.of(0, 12L));
            assertThat(index.committedSources()).as("a commit of offsets alone keeps them").containsExactlyInAnyOrderEntriesOf(Map.of(1, 41L));
            assertThat(index.numDocs()).isEqualTo(10);
            assertThat(index.contains("3")).isTrue();
            assertThat(index.contains("12")).isFalse();
            assertThat(index.search(vectors[3], 1, 10, null).get(0).id()).isEqualTo("3");
        }
    }

    @Test
    void shouldRefuseToOpenAnIndexWithAnotherDimensionAndLeaveItIntact() throws IOException {
        Path dir = tmp.resolve("idx");
        try (VectorIndex index = VectorIndex.open(dir, DIM, HnswParams.defaults())) {
            index.upsert("a", randomVectors(1, DIM, 8)[0], 1L, null);
            index.commit(Map.of(0, 1L));
        }
        assertThatThrownBy(() -> VectorIndex.open(dir, 64, HnswParams.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 32 dimensions, asked for 64");
        try (VectorIndex index = VectorIndex.open(dir, DIM, HnswParams.defaults())) {
            assertThat(index.numDocs()).isEqualTo(1);
            assertThat(index.rebuilt()).isFalse();
        }
    }

    @Test
    void shouldRefuseDimensionsOutsideTheLimits() {
        assertThatThrownBy(() -> VectorIndex.open(tmp.resolve("a"), 0, HnswParams.defaults()))
                .hasMessage("dimension must be between 1 and 4096, got 0");
        assertThatThrownBy(() -> VectorIndex.open(tmp.resolve("b"), 4097, HnswParams.defaults()))
                .hasMessage("dimension must be between 1 and 4096, got 4097");
    }

    @Test
    void shouldIndexVectorsWiderThanLucenesOwnLimit() throws IOException {
        float[][] vectors = randomVectors(3, 2048, 9);
        try (VectorIndex index = VectorIndex.open(tmp.resolve("wide"), 2048, HnswParams.defaults())) {
            for (int i = 0; i < vectors.length; i++) {
                index.upsert("w" + i, vectors[i], 0L, null);
            }
            index.refresh();
            assertThat(index.search(vectors[2], 1, 3, null).get(0).id()).isEqualTo("w2");
        }
    }

    @Test
    void shouldRejectBadVectorsWithTheReason() throws IOException {
        try (VectorIndex index = VectorIndex.open(tmp.resolve("idx"), 128, HnswParams.defaults())) {
            assertThatThrownBy(() -> index.upsert("a", new float[64], 0L, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("vector has 64 dimensions, the index has 128");
            float[] nan = randomVectors(1, 128, 10)[0];
            nan[3] = Float.NaN;
            assertThatThrownBy(() -> index.upsert("a", nan, 0L, null)).hasMessage("vector[3] is NaN, values must be finite");
            float[] inf = randomVectors(1, 128, 10)[0];
            inf[100] = Float.NEGATIVE_INFINITY;
            assertThatThrownBy(() -> index.search(inf, 1, 10, null)).hasMessage("query[100] is -Infinity, values must be finite");
            assertThatThrownBy(() -> index.upsert("a", new float[128], 0L, null))
                    .hasMessage("vector has norm 0, it cannot be normalised");
            assertThatThrownBy(() -> index.search(new float[3], 1, 10, null)).hasMessage("query has 3 dimensions, the index has 128");
            assertThatThrownBy(() -> index.upsert("", new float[128], 0L, null)).hasMessage("id must not be empty");
            assertThatThrownBy(() -> index.upsert("x".repeat(513), nan, 0L, null))
                    .hasMessage("id must be at most 512 bytes in UTF-8, got 513");
            index.refresh();
            assertThat(index.numDocs()).isZero();
        }
    }

    @Test
    void shouldNeverChangeTheCallersArrays() throws IOException {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = i + 1;
        }
        float[] copy = v.clone();
        try (VectorIndex index = VectorIndex.open(tmp.resolve("idx"), DIM, HnswParams.defaults())) {
            index.upsert("a", v, 0L, null);
            index.refresh();
            index.search(v, 1, 10, null);
            assertThat(v).containsExactly(copy);
        }
    }

    @Test
    void shouldCheckKnnArgsLikeElasticsearch() {
        assertThatThrownBy(() -> VectorIndex.checkKnnArgs(0, 10)).hasMessage("k must be at least 1, got 0");
        assertThatThrownBy(() -> VectorIndex.checkKnnArgs(10, 10_001)).hasMessage("numCandidates must be at most 10000, got 10001");
        assertThatThrownBy(() -> VectorIndex.checkKnnArgs(200, 100)).hasMessage("k must be at most numCandidates (100), got 200");
        VectorIndex.checkKnnArgs(1, 1);
        VectorIndex.checkKnnArgs(10_000, 10_000);
    }

    @ParameterizedTest
    @CsvSource({"INT8_HNSW, 20, 0.95", "INT4_HNSW, 30, 0.95", "BBQ_HNSW, 60, 0.90"})
    void shouldSearchAQuantisedIndexWithHighRecallAndExactScores(HnswParams.Type type, int numCandidates, double minRecall)
            throws IOException {
        ClusteredVectors generator = new ClusteredVectors(DIM, 40, ClusteredVectors.DEFAULT_SPREAD, 11);
        VectorSet data = generator.sample(2000, 12);
        VectorSet queries = generator.sample(50, 13);
        int[][] exact = ExactSearch.topK(data, queries, 10, null);
        try (VectorIndex index = VectorIndex.open(tmp.resolve(type.esName()), DIM, new HnswParams(type, 16, 100))) {
            for (int i = 0; i < data.size(); i++) {
                index.upsert(Integer.toString(i), data.get(i), 0L, null);
            }
            index.refresh();
            double recall = 0;
            for (int q = 0; q < queries.size(); q++) {
                List<VectorIndex.Hit> hits = index.search(queries.get(q), 10, numCandidates, null);
                List<String> truth = new ArrayList<>();
                for (int id : exact[q]) {
                    truth.add(Integer.toString(id));
                }
                recall += hits.stream().filter(h -> truth.contains(h.id())).count() / 10.0;
                // the candidates are scored again with their float vectors: exact cosines
                for (VectorIndex.Hit hit : hits) {
                    assertThat((double) hit.score()).isCloseTo(cosine(queries.get(q), data.get(Integer.parseInt(hit.id()))), within(1e-5));
                }
            }
            System.out.printf("%s: recall@10 %.3f at numCandidates %d%n", type, recall / queries.size(), numCandidates);
            assertThat(recall / queries.size()).isGreaterThan(minRecall);
            assertThat(index.vector("5").orElseThrow()).containsExactly(unit(data.get(5)), within(1e-6f));
        }
    }

    /** With several segments, some with deletions, hits and stored vectors come from the right segment. */
    @ParameterizedTest
    @EnumSource(value = HnswParams.Type.class, names = {"HNSW", "INT8_HNSW"})
    void shouldSearchAndReadAcrossSegmentsWithDeletions(HnswParams.Type type) throws IOException {
        float[][] vectors = randomVectors(400, DIM, 18);
        try (VectorIndex index = VectorIndex.open(tmp.resolve("idx"), DIM, new HnswParams(type, 16, 100))) {
            for (int i = 0; i < vectors.length; i++) {
                index.upsert(Integer.toString(i), vectors[i], 0L, null);
                if (i % 100 == 99) {
                    index.refresh(); // four segments
                }
            }
            List<Integer> live = new ArrayList<>();
            for (int i = 0; i < vectors.length; i++) {
                if (i % 7 == 0) {
                    index.delete(Integer.toString(i));
                } else {
                    live.add(i);
                }
            }
            index.refresh();
            // As many candidates as a segment holds: every live image is one, so the hits are the exact ones.
            for (float[] query : randomVectors(5, DIM, 19)) {
                List<VectorIndex.Hit> hits = index.search(query, 10, 100, null);
                List<String> exact = live.stream()
                        .sorted(Comparator.comparingDouble((Integer i) -> cosine(query, vectors[i])).reversed())
                        .limit(10).map(i -> Integer.toString(i)).toList();
                assertThat(hits).extracting(VectorIndex.Hit::id).containsExactlyElementsOf(exact);
                for (VectorIndex.Hit hit : hits) {
                    double cosine = cosine(query, vectors[Integer.parseInt(hit.id())]);
                    assertThat((double) hit.score()).isCloseTo(cosine, within(1e-5));
                }
            }
            for (int i : List.of(1, 7, 150, 250, 398, 399)) {
                assertThat(index.contains(Integer.toString(i))).isEqualTo(i % 7 != 0);
                assertThat(index.vector(Integer.toString(i)).isPresent()).isEqualTo(i % 7 != 0);
            }
            assertThat(index.vector("398").orElseThrow()).containsExactly(unit(vectors[398]), within(1e-6f));
            List<VectorIndex.Stored> all = index.sample(VectorIndex.MAX_SAMPLE, 1);
            assertThat(all).extracting(VectorIndex.Stored::id)
                    .containsExactlyInAnyOrderElementsOf(live.stream().map(i -> Integer.toString(i)).toList());
            for (VectorIndex.Stored s : all) {
                assertThat(s.vector()).containsExactly(unit(vectors[Integer.parseInt(s.id())]), within(1e-6f));
            }
        }
    }

    enum Damage { TRUNCATE_DATA, FLIP_BYTE_IN_DATA, GARBLE_SEGMENTS_FILE, DELETE_SEGMENTS_FILE, DELETE_DATA }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void shouldRebuildADamagedIndexEmpty(Damage damage) throws IOException {
        Path dir = tmp.resolve("idx");
        float[][] vectors = randomVectors(200, DIM, 14);
        try (VectorIndex index = VectorIndex.open(dir, DIM, HnswParams.defaults())) {
            for (int i = 0; i < vectors.length; i++) {
                index.upsert(Integer.toString(i), vectors[i], 0L, null);
            }
            index.commit(Map.of(0, 200L));
        }
        Path segments;
        Path largest;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            segments = all.stream().filter(f -> f.getFileName().toString().startsWith("segments_")).findFirst().orElseThrow();
            largest = all.stream().max(Comparator.comparingLong(f -> f.toFile().length())).orElseThrow();
        }
        switch (damage) {
            case TRUNCATE_DATA -> truncate(largest, largest.toFile().length() / 2);
            case FLIP_BYTE_IN_DATA -> flip(largest, largest.toFile().length() / 2);
            case GARBLE_SEGMENTS_FILE -> flip(segments, segments.toFile().length() - 20);
            case DELETE_SEGMENTS_FILE -> Files.delete(segments);
            case DELETE_DATA -> Files.delete(largest);
        }
        try (VectorIndex index = VectorIndex.open(dir, DIM, HnswParams.defaults())) {
            assertThat(index.rebuilt()).isTrue();
            assertThat(index.numDocs()).isZero();
            assertThat(index.committedOffsets()).isEmpty();
            index.upsert("a", vectors[0], 0L, null);
            index.commit(Map.of(0, 1L));
        }
        try (VectorIndex index = VectorIndex.open(dir, DIM, HnswParams.defaults())) {
            assertThat(index.rebuilt()).isFalse();
            assertThat(index.numDocs()).isEqualTo(1);
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    private static void flip(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0xFF);
        }
    }

    @Test
    void shouldRefuseToTouchAFolderOfOtherFiles() throws IOException {
        Path dir = tmp.resolve("not-an-index");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "keep me");
        assertThatThrownBy(() -> VectorIndex.open(dir, DIM, HnswParams.defaults()))
                .isInstanceOf(IOException.class).hasMessageContaining("notes.txt");
        assertThatThrownBy(() -> VectorIndex.deleteIndex(dir)).isInstanceOf(IOException.class).hasMessageContaining("notes.txt");
        assertThat(dir.resolve("notes.txt")).hasContent("keep me");
    }

    @Test
    void shouldDeleteAClosedIndexAndItsFolder() throws IOException {
        Path dir = tmp.resolve("retired");
        try (VectorIndex index = VectorIndex.open(dir, DIM, HnswParams.defaults())) {
            index.upsert("a", randomVectors(1, DIM, 16)[0], 0L, null);
            index.commit(Map.of());
        }
        assertThat(VectorIndex.deleteIndex(dir)).isTrue();
        assertThat(dir).doesNotExist();
        assertThat(VectorIndex.deleteIndex(dir)).isFalse();
    }

    @Test
    void shouldServeSearchesWhileOneThreadWrites() throws Exception {
        float[][] vectors = randomVectors(600, DIM, 17);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        AtomicBoolean writing = new AtomicBoolean(true);
        try (VectorIndex index = openWith(new float[0][])) {
            Future<?> writer = pool.submit(() -> {
                try {
                    for (int i = 0; i < vectors.length; i++) {
                        index.upsert(Integer.toString(i), vectors[i], 0L, null);
                        if (i % 50 == 49) {
                            index.refresh();
                        }
                    }
                    index.refresh();
                } finally {
                    writing.set(false);
                }
                return null;
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int seed = r;
                readers.add(pool.submit(() -> {
                    int searches = 0;
                    SplittableRandom random = new SplittableRandom(seed);
                    while (writing.get() || searches < 10) {
                        int q = random.nextInt(vectors.length);
                        for (VectorIndex.Hit hit : index.search(vectors[q], 5, 20, null)) {
                            assertThat(Integer.parseInt(hit.id())).isBetween(0, vectors.length - 1);
                        }
                        searches++;
                    }
                    return searches;
                }));
            }
            writer.get(60, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
            }
            assertThat(index.numDocs()).isEqualTo(vectors.length);
        } finally {
            pool.shutdownNow();
        }
    }
}
