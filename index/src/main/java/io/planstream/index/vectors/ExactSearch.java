package io.planstream.index.vectors;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Brute-force top-k by dot product: the ground truth that approximate search is measured against.
 *
 * <p>Written for speed without SIMD intrinsics: data rows are taken in tiles of {@value #TILE},
 * transposed so that the inner loop updates {@value #TILE} independent sums (which the JIT
 * vectorises, unlike a single dot-product reduction), and a chunk of queries is scored against each
 * tile while it sits in cache. Each query keeps its best k in a bounded heap. Chunks of queries run
 * in parallel.
 */
public final class ExactSearch {

    private static final int TILE = 64;
    private static final int QUERY_CHUNK = 64;

    private ExactSearch() {
    }

    /**
     * For each query, the indices of its {@code k} data vectors of highest dot product, best first
     * (ties: the lower index first). Fewer than {@code k} when there is less data.
     *
     * @param progress told the number of queries done so far, from any thread; may be null
     */
    public static int[][] topK(VectorSet data, VectorSet queries, int k, IntConsumer progress) {
        if (data.dimension() != queries.dimension()) {
            throw new IllegalArgumentException("queries have " + queries.dimension() + " dimensions, the data "
                    + data.dimension());
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        int n = queries.size();
        int[][] result = new int[n][];
        AtomicInteger done = new AtomicInteger();
        int chunks = (n + QUERY_CHUNK - 1) / QUERY_CHUNK;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * QUERY_CHUNK;
            int to = Math.min(n, from + QUERY_CHUNK);
            searchChunk(data, queries, from, to, k, result);
            int total = done.addAndGet(to - from);
            if (progress != null) {
                progress.accept(total);
            }
        });
        return result;
    }

    private static void searchChunk(VectorSet data, VectorSet queries, int from, int to, int k, int[][] result) {
        int d = data.dimension();
        int rows = data.size();
        float[] x = data.data();
        float[] q = queries.data();
        float[] tile = new float[d * TILE];
        float[] acc = new float[TILE];
        TopK[] heaps = new TopK[to - from];
        for (int i = 0; i < heaps.length; i++) {
            heaps[i] = new TopK(Math.min(k, rows));
        }
        for (int start = 0; start < rows; start += TILE) {
            int width = Math.min(TILE, rows - start);
            for (int r = 0; r < width; r++) {
                int row = (start + r) * d;
                for (int j = 0; j < d; j++) {
                    tile[j * TILE + r] = x[row + j];
                }
            }
            for (int qi = from; qi < to; qi++) {
                Arrays.fill(acc, 0f);
                int qo = qi * d;
                for (int j = 0; j < d; j++) {
                    float v = q[qo + j];
                    int base = j * TILE;
                    for (int r = 0; r < TILE; r++) {
                        acc[r] += v * tile[base + r];
                    }
                }
                TopK heap = heaps[qi - from];
                for (int r = 0; r < width; r++) {
                    heap.offer(acc[r], start + r);
                }
            }
        }
        for (int i = 0; i < heaps.length; i++) {
            result[from + i] = heaps[i].bestFirst();
        }
    }

    /** The best {@code capacity} (score, index) pairs seen, in a min-heap on flat arrays. */
    static final class TopK {
        private final float[] scores;
        private final int[] ids;
        private int size;

        TopK(int capacity) {
            scores = new float[capacity];
            ids = new int[capacity];
        }

        /** Offers in increasing index order, so on equal scores the earlier index stays. */
        void offer(float score, int id) {
            if (size < scores.length) {
                int i = size++;
                while (i > 0) {
                    int parent = (i - 1) >>> 1;
                    if (!worse(score, id, scores[parent], ids[parent])) {
                        break;
                    }
                    scores[i] = scores[parent];
                    ids[i] = ids[parent];
                    i = parent;
                }
                scores[i] = score;
                ids[i] = id;
            } else if (size > 0 && score > scores[0]) {
                siftDown(score, id);
            }
        }

        /** Whether (s1, i1) ranks below (s2, i2): lower score, or the same score and a later index. */
        private static boolean worse(float s1, int i1, float s2, int i2) {
            return s1 < s2 || (s1 == s2 && i1 > i2);
        }

        private void siftDown(float score, int id) {
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && worse(scores[child + 1], ids[child + 1], scores[child], ids[child])) {
                    child++;
                }
                if (!worse(scores[child], ids[child], score, id)) {
                    break;
                }
                scores[i] = scores[child];
                ids[i] = ids[child];
                i = child;
            }
            scores[i] = score;
            ids[i] = id;
        }

        /** Empties the heap into an array, best first. */
        int[] bestFirst() {
            int[] out = new int[size];
            for (int i = size - 1; i >= 0; i--) {
                out[i] = ids[0];
                int lastId = ids[size - 1];
                float lastScore = scores[size - 1];
                size--;
                if (size > 0) {
                    siftDown(lastScore, lastId);
                }
            }
            return out;
        }
    }
}
