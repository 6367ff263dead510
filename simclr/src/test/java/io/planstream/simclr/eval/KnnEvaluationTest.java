package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import io.planstream.simclr.SimClrEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KnnEvaluationTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    /** Unit vectors at the given angles (degrees), scaled by {@code length}. */
    private static Features at(double length, int[] labels, double... degrees) {
        float[] v = new float[degrees.length * 2];
        for (int i = 0; i < degrees.length; i++) {
            v[2 * i] = (float) (length * Math.cos(Math.toRadians(degrees[i])));
            v[2 * i + 1] = (float) (length * Math.sin(Math.toRadians(degrees[i])));
        }
        return new Features(v, degrees.length, 2, labels, 2);
    }

    private static double cos(double degrees) {
        return Math.cos(Math.toRadians(degrees));
    }

    @Test
    void shouldWeighTheKNearestByExpOfCosineOverTemperature() {
        // class 0 at 0 and 10 degrees, class 1 at 80 and 90; the query at 30 degrees
        Features train = at(3, new int[] {0, 0, 1, 1}, 0, 10, 80, 90);
        Features query = at(0.5, new int[] {0}, 30);
        float[] before = train.values().clone();
        try (NDManager m = NDManager.newBaseManager()) {
            double[] s = KnnEvaluation.classScores(train, query, new KnnEvaluation.Options(3, 0.5), m);
            // the three nearest: 10 (cos 20), 0 (cos 30), 80 (cos 50); 90 (cos 60) is left out
            assertThat(s[0]).isCloseTo(Math.exp(cos(20) / 0.5) + Math.exp(cos(30) / 0.5), offset(1e-5));
            assertThat(s[1]).isCloseTo(Math.exp(cos(50) / 0.5), offset(1e-5));
            assertThat(train.values()).containsExactly(before);
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void aLowTemperatureShouldLetTheNearestOutvoteTheMajority() {
        // one class-1 row 5 degrees from the query, two class-0 rows 35 and 45 degrees away
        Features train = at(1, new int[] {1, 0, 0}, 0, 40, -40);
        Features query = at(1, new int[] {1}, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            EvalResult sharp = KnnEvaluation.run(train, query, new KnnEvaluation.Options(3, 0.07), m);
            assertThat(sharp.top1()).isEqualTo(1.0);
            EvalResult flat = KnnEvaluation.run(train, query, new KnnEvaluation.Options(3, 10), m);
            assertThat(flat.top1()).isEqualTo(0.0);
            double[] s = KnnEvaluation.classScores(train, query, new KnnEvaluation.Options(3, 10), m);
            assertThat(s[0]).isCloseTo(Math.exp(cos(35) / 10) + Math.exp(cos(45) / 10), offset(1e-5));
            assertThat(s[1]).isCloseTo(Math.exp(cos(5) / 10), offset(1e-5));
        }
    }

    @Test
    void shouldClassifySeparatedClustersPerfectlyWithTheDefaults() {
        Features train = Synthetic.clusters(80, 3, 12, 12, 41);
        Features test = Synthetic.clusters(30, 3, 12, 12, 42);
        try (NDManager m = NDManager.newBaseManager()) {
            EvalResult r = KnnEvaluation.run(train, test, KnnEvaluation.Options.defaults(), m);
            assertThat(r.top1()).isEqualTo(1.0);
            assertThat(r.parameters()).containsEntry("k", 200).containsEntry("temperature", 0.07);
        }
    }

    @Test
    void shouldGiveTheSameAnswerWhateverTheChunking() {
        Features train = Synthetic.clusters(40, 4, 6, 2, 51);
        Features test = Synthetic.clusters(15, 4, 6, 2, 52);
        try (NDManager m = NDManager.newBaseManager()) {
            KnnEvaluation.Options o = new KnnEvaluation.Options(7, 0.1);
            double[] all = KnnEvaluation.classScores(train, test, o, m);
            double[] firstHalf = KnnEvaluation.classScores(train, test.select(java.util.stream.IntStream.range(0, 30).toArray()),
                    o, m);
            for (int i = 0; i < firstHalf.length; i++) {
                assertThat(firstHalf[i]).isCloseTo(all[i], offset(1e-9 * Math.max(1, all[i])));
            }
        }
    }

    @Test
    void leaveOneOutShouldClassifyEveryRowByTheOthersOnly() {
        // class 0 at 0 and 12 degrees, class 1 at 20, 80 and 90: with k = 1, 12 and 20 are each
        // other's nearest and both wrong; every row would be its own nearest if it could vote
        Features f = at(1, new int[] {0, 0, 1, 1, 1}, 0, 12, 20, 80, 90);
        try (NDManager m = NDManager.newBaseManager()) {
            EvalResult r = KnnEvaluation.leaveOneOut(f, new KnnEvaluation.Options(1, 0.07), m);
            assertThat(r.top1()).isCloseTo(0.6, offset(1e-12));
            assertThat(r.nTest()).isEqualTo(5);
            assertThat(r.nTrain()).isEqualTo(4);
            assertThat(KnnEvaluation.run(f, f, new KnnEvaluation.Options(1, 0.07), m).top1()).isEqualTo(1.0);
            // k beyond the other rows: all four others vote
            assertThat(KnnEvaluation.leaveOneOut(f, KnnEvaluation.Options.defaults(), m).parameters())
                    .containsEntry("k", 4).containsEntry("leave_one_out", true);
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void leaveOneOutShouldNotDependOnTheChunking() {
        Features f = Synthetic.clusters(12, 3, 5, 1.5, 61);
        try (NDManager m = NDManager.newBaseManager()) {
            KnnEvaluation.Options o = new KnnEvaluation.Options(5, 0.1);
            EvalResult whole = KnnEvaluation.leaveOneOut(f, o, m);
            // chunks of 1 and of 7 rows against 36: the self-mask must follow the chunk's offset
            for (long elements : new long[] {36, 7 * 36}) {
                EvalResult chunked = KnnEvaluation.leaveOneOut(f, o, elements, m);
                assertThat(chunked.top1()).isEqualTo(whole.top1());
            }
            assertThat(whole.top1()).isBetween(0.3, 0.99);
            assertThatThrownBy(() -> KnnEvaluation.leaveOneOut(f.select(new int[] {0}), o, m))
                    .hasMessageContaining("at least 2 rows");
        }
    }

    @Test
    void shouldRejectABadK() {
        assertThatThrownBy(() -> new KnnEvaluation.Options(0, 0.07)).hasMessageContaining("k must be");
        assertThatThrownBy(() -> new KnnEvaluation.Options(5, 0)).hasMessageContaining("temperature");
    }
}
