package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrieval figures against hand-computed cases. Five plans in two dimensions, s = cos 45 deg = 0.7071:
 *
 * <pre>
 *   plan  feature   programme                 cosines:  0     1     2     3     4
 *   0     (1, 0)    X = bedroom 2, kitchen 1       0    -     s     0    -1     0
 *   1     (1, 1)    X                              1    s     -     s    -s    -s
 *   2     (0, 1)    Y = bedroom 1, kitchen 1       2    0     s     -     0    -1
 *   3     (-1, 0)   X                              3   -1    -s     0     -     0
 *   4     (0, -1)   Z = bathroom 1                 4    0    -s    -1     0     -
 * </pre>
 *
 * Gains (overlap): X-X 1, X-Y (1 + 1) / max(3, 2) = 2/3, anything with Z 0. Plans 0, 1, 3 have R = 2
 * relevant plans each; 2 and 4 have none and are left out of mAP and P. Plan 4 shares nothing with
 * anyone and is left out of nDCG. Rankings (ties to the lower index):
 *
 * <pre>
 *   query 0: 1 (s), 2 (0), 4 (0), 3 (-1)      relevant 1 0 0 1
 *   query 1: 0 (s), 2 (s), 3 (-s), 4 (-s)     relevant 1 0 1 0
 *   query 2: 1 (s), 0 (0), 3 (0), 4 (-1)      gains 2/3 2/3 2/3 0
 *   query 3: 2 (0), 4 (0), 1 (-s), 0 (-1)     relevant 0 0 1 1
 * </pre>
 */
class RetrievalEvaluationTest {

    private static final float[] FEATURES = {1, 0, 1, 1, 0, 1, -1, 0, 0, -1};
    private static final Map<String, Integer> X = Map.of("bedroom", 2, "kitchen", 1);
    private static final Map<String, Integer> Y = Map.of("bedroom", 1, "kitchen", 1);
    private static final Map<String, Integer> Z = Map.of("bathroom", 1);
    private static final List<Map<String, Integer>> PROGRAMMES = List.of(X, X, Y, X, Z);

    @Test
    void shouldCountEveryPairsCosineIntoItsHistogramBinAndDrawThem(@TempDir Path tmp) throws Exception {
        RetrievalResult r = run(FEATURES, PROGRAMMES, RetrievalEvaluation.Copies.none(), 10);
        // Bin of s: floor((s + 1) * 20). Relevant pairs (X with X): 0-1 s -> 34, 0-3 -1 -> 0, 1-3 -s -> 5.
        long[] relevant = new long[RetrievalEvaluation.HISTOGRAM_BINS];
        relevant[34] = 1;
        relevant[0] = 1;
        relevant[5] = 1;
        // Irrelevant: 0-2, 0-4, 2-3, 3-4 at 0 -> 20; 1-2 s -> 34; 1-4 -s -> 5; 2-4 -1 -> 0.
        long[] irrelevant = new long[RetrievalEvaluation.HISTOGRAM_BINS];
        irrelevant[20] = 4;
        irrelevant[34] = 1;
        irrelevant[5] = 1;
        irrelevant[0] = 1;
        assertThat(r.relevantHistogram()).containsExactly(relevant);
        assertThat(r.irrelevantHistogram()).containsExactly(irrelevant);
        assertThat(RetrievalResult.binEdges()[0]).isEqualTo(-1.0);
        assertThat(RetrievalResult.binEdges()[39]).isCloseTo(0.95, within(1e-12));

        Path png = tmp.resolve("scores.png");
        ScorePlot.write(png, r, "five plans");
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(ScorePlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(ScorePlot.HEIGHT);
        RetrievalResult none = run(FEATURES, List.of(X, Y, Z, Map.of("study", 1), Map.of("hall", 1)),
                RetrievalEvaluation.Copies.none(), 10);
        assertThatThrownBy(() -> ScorePlot.write(png, none, "no relevant pair"))
                .hasMessageContaining("0 relevant and 10 irrelevant pairs");
    }

    @Test
    void shouldScoreTheHandComputedRankingsAtTen() {
        RetrievalResult r = run(FEATURES, PROGRAMMES, RetrievalEvaluation.Copies.none(), 10);
        // The gallery has 4 plans: the lists are cut at 4.
        assertThat(r.k()).isEqualTo(4);
        // AP: query 0 (1/1 + 2/4) / 2 = 3/4; query 1 (1/1 + 2/3) / 2 = 5/6; query 3 (1/3 + 2/4) / 2 = 5/12.
        // Mean (9 + 10 + 5) / 12 / 3 = 2/3. Dividing by k (4) instead of min(R, k) would give 1/3;
        // ties to the higher index would rank 2 before 0 for query 1 and give AP 1/2 there.
        assertThat(r.map()).isCloseTo(2.0 / 3, within(1e-9));
        // Two relevant plans among four for each of the three queries.
        assertThat(r.precision()).isCloseTo(0.5, within(1e-9));
        assertThat(r.nQueries()).isEqualTo(5);
        assertThat(r.nLeftOut()).isEqualTo(2);
        assertThat(r.nNdcgLeftOut()).isEqualTo(1);
    }

    @Test
    void shouldNormaliseApByRelevantItemsNotByHitsWhenTheListIsCut() {
        RetrievalResult r = run(FEATURES, PROGRAMMES, RetrievalEvaluation.Copies.none(), 3);
        assertThat(r.k()).isEqualTo(3);
        // Query 0: 1 2 4 -> 1 0 0, AP = 1 / 2. Query 1: 0 2 3 -> 1 0 1, AP = (1 + 2/3) / 2 = 5/6.
        // Query 3: 2 4 1 -> 0 0 1, AP = (1/3) / min(2, 3) = 1/6 (dividing by the one hit found would give 1/3).
        // mAP = (3/6 + 5/6 + 1/6) / 3 = 1/2.
        assertThat(r.map()).isCloseTo(0.5, within(1e-9));
        // P@3 = (1/3 + 2/3 + 1/3) / 3 = 4/9.
        assertThat(r.precision()).isCloseTo(4.0 / 9, within(1e-9));
    }

    @Test
    void shouldDiscountGradedGainsByLog2OfRankPlusOne() {
        RetrievalResult r = run(FEATURES, PROGRAMMES, RetrievalEvaluation.Copies.none(), 10);
        double d2 = 1 / log2(3);
        double d3 = 1 / log2(4);
        double d4 = 1 / log2(5);
        // The best four gains of plans 0, 1 and 3 are 1, 1, 2/3, 0.
        double ideal = 1 + d2 + 2.0 / 3 * d3;
        double q0 = (1 + 2.0 / 3 * d2 + 0 * d3 + 1 * d4) / ideal;
        double q1 = (1 + 2.0 / 3 * d2 + 1 * d3 + 0 * d4) / ideal;
        // Plan 2 (Y) gains 2/3 from every X and 0 from Z, and ranks the three X first: the ideal order.
        double q2 = 1;
        double q3 = (2.0 / 3 + 0 * d2 + 1 * d3 + 1 * d4) / ideal;
        assertThat(r.ndcg()).isCloseTo((q0 + q1 + q2 + q3) / 4, within(1e-9));
        // 0.9334; a discount of log2(rank) from rank 2 on, one rank off, would give 0.8967.
        assertThat(r.ndcg()).isCloseTo(0.9334, within(1e-4));
    }

    @Test
    void shouldCountTiedPairsAsOneHalfInTheAuc() {
        RetrievalResult r = run(FEATURES, PROGRAMMES, RetrievalEvaluation.Copies.none(), 10);
        // Relevant pairs: (0,1) s, (0,3) -1, (1,3) -s. Irrelevant: 0, 0, s, -s, 0, -1, 0.
        // s beats the four zeros, -s and -1, ties s: 6.5; -1 ties -1: 0.5; -s beats -1, ties -s: 1.5.
        // AUC = (6.5 + 0.5 + 1.5) / (3 * 7) = 17/42; without the halves it would be 7/21.
        assertThat(r.auc()).isCloseTo(17.0 / 42, within(1e-9));
        assertThat(r.aucSampled()).isFalse();
        assertThat(r.aucPairs()).isEqualTo(10);
        assertThat(r.relevantPairs()).isEqualTo(3);
        assertThat(r.irrelevantPairs()).isEqualTo(7);
        // Float features: s is 0.70710677f, so the moments hold to about 1e-7.
        assertThat(r.relevantMean()).isCloseTo(-1.0 / 3, within(1e-6));
        assertThat(r.relevantStd()).isCloseTo(Math.sqrt(5.0) / 3, within(1e-6));
        assertThat(r.irrelevantMean()).isCloseTo(-1.0 / 7, within(1e-6));
        assertThat(r.irrelevantStd()).isCloseTo(Math.sqrt(13.0) / 7, within(1e-6));
    }

    @Test
    void shouldFindTheOriginalFirstForInvariantCopiesWithTiesToTheLowerIndex() {
        // Copy of 0 near (1, 0): hit. A copy of 1 equal to plan 2: miss. (1, -1) is s from plans 0 and 4:
        // the tie goes to 0, its original: hit (to 4 it would be a miss). (-1, 0.2) nearest 3: hit.
        float[] copies = {0.9f, 0.1f, 0, 1, 1, -1, -1, 0.2f};
        RetrievalResult r = run(FEATURES, PROGRAMMES, new RetrievalEvaluation.Copies(copies, new int[] {0, 1, 0, 3}), 10);
        assertThat(r.invariance()).isCloseTo(0.75, within(1e-9));
        assertThat(r.nCopies()).isEqualTo(4);
        assertThat(run(FEATURES, PROGRAMMES, RetrievalEvaluation.Copies.none(), 10).invariance()).isNaN();
    }

    @Test
    void shouldTreatZeroCountsAsAbsentAndNeverChangeTheCallersFeatures() {
        float[] features = FEATURES.clone();
        List<Map<String, Integer>> programmes = List.of(X, Map.of("bedroom", 2, "kitchen", 1, "storage", 0), Y, X, Z);
        RetrievalResult r = run(features, programmes, RetrievalEvaluation.Copies.none(), 10);
        assertThat(r.map()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(features).containsExactly(FEATURES);
    }

    @Test
    void shouldMatchABruteForceAucAndSampleCloseToIt() {
        Random random = new Random(7);
        int n = 120;
        int dim = 6;
        float[] f = new float[n * dim];
        List<Map<String, Integer>> programmes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int bedrooms = random.nextInt(3);
            programmes.add(Map.of("bedroom", bedrooms, "bathroom", 1 + random.nextInt(2)));
            for (int d = 0; d < dim; d++) {
                // The bedroom count shifts the first coordinate: relevant pairs score higher on average.
                f[i * dim + d] = (float) (random.nextGaussian() + (d == 0 ? 2 * bedrooms : 0));
            }
        }
        RetrievalResult exact = RetrievalEvaluation.run(f, dim, programmes, RetrievalEvaluation.Copies.none(),
                RetrievalEvaluation.Options.defaults(1));
        assertThat(exact.auc()).isCloseTo(bruteForceAuc(f, dim, programmes), within(1e-9));
        assertThat(exact.auc()).isGreaterThan(0.6);
        assertThat(exact.map()).isBetween(0.0, 1.0);
        assertThat(exact.ndcg()).isBetween(0.0, 1.0);
        assertThat(exact.nLeftOut()).isZero();

        RetrievalResult sampled = RetrievalEvaluation.run(f, dim, programmes, RetrievalEvaluation.Copies.none(),
                new RetrievalEvaluation.Options(10, 3000, 1));
        assertThat(sampled.aucSampled()).isTrue();
        assertThat(sampled.aucPairs()).isBetween(2500L, 3500L);
        assertThat(sampled.auc()).isCloseTo(exact.auc(), within(0.03));
        // Only the AUC is sampled.
        assertThat(sampled.map()).isEqualTo(exact.map());
        assertThat(sampled.relevantMean()).isEqualTo(exact.relevantMean());
    }

    @Test
    void shouldRejectBadInput() {
        RetrievalEvaluation.Copies none = RetrievalEvaluation.Copies.none();
        assertThatThrownBy(() -> run(FEATURES, List.of(X, X, Y, X), none, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 programmes");
        assertThatThrownBy(() -> run(new float[] {1, 0}, List.of(X), none, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 plans");
        float[] nan = FEATURES.clone();
        nan[5] = Float.NaN;
        assertThatThrownBy(() -> run(nan, PROGRAMMES, none, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature 1 of row 2 is NaN");
        assertThatThrownBy(() -> run(FEATURES, List.of(X, X, Y, X, Map.of("bedroom", -1)), none, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("programme 4");
        assertThatThrownBy(() -> run(FEATURES, PROGRAMMES,
                new RetrievalEvaluation.Copies(new float[] {1, 0, 1}, new int[] {0}), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("copy row");
        assertThatThrownBy(() -> run(FEATURES, PROGRAMMES,
                new RetrievalEvaluation.Copies(new float[] {1, 0}, new int[] {5}), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plan 5");
        assertThatThrownBy(() -> run(FEATURES, PROGRAMMES, new RetrievalEvaluation.Copies(new float[] {Float.POSITIVE_INFINITY, 0},
                new int[] {0}), 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> new RetrievalEvaluation.Options(0, 100, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be");
    }

    private static RetrievalResult run(float[] features, List<Map<String, Integer>> programmes,
                                       RetrievalEvaluation.Copies copies, int k) {
        return RetrievalEvaluation.run(features, 2, programmes, copies,
                new RetrievalEvaluation.Options(k, RetrievalEvaluation.DEFAULT_MAX_EXACT_PAIRS, 1));
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** P(relevant pair &gt; irrelevant pair) + P(equal) / 2 over all pairs of pairs, in O(pairs^2). */
    private static double bruteForceAuc(float[] f, int dim, List<Map<String, Integer>> programmes) {
        int n = programmes.size();
        float[] x = KnnEvaluation.normalised(f, n, dim);
        List<Double> relevant = new ArrayList<>();
        List<Double> irrelevant = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int d = 0; d < dim; d++) {
                    s += (double) x[i * dim + d] * x[j * dim + d];
                }
                Map<String, Integer> a = new java.util.TreeMap<>(programmes.get(i));
                Map<String, Integer> b = new java.util.TreeMap<>(programmes.get(j));
                a.values().removeIf(v -> v == 0);
                b.values().removeIf(v -> v == 0);
                (a.equals(b) ? relevant : irrelevant).add(s);
            }
        }
        double wins = 0;
        for (double r : relevant) {
            for (double q : irrelevant) {
                wins += r > q ? 1 : r == q ? 0.5 : 0;
            }
        }
        return wins / ((double) relevant.size() * irrelevant.size());
    }
}
