package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.planstream.simclr.SimClrEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LinearEvaluationTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    @Test
    void shouldReachHighAccuracyOnSeparableClusters() {
        Features train = Synthetic.clusters(50, 5, 16, 10, 11);
        Features test = Synthetic.clusters(20, 5, 16, 10, 12);
        try (NDManager m = NDManager.newBaseManager()) {
            EvalResult r = LinearEvaluation.run(train, test, LinearEvaluation.Options.defaults(1), m);
            assertThat(r.protocol()).isEqualTo(Protocol.LINEAR);
            assertThat(r.top1()).isGreaterThanOrEqualTo(0.97);
            assertThat(r.nTrain()).isEqualTo(250);
            assertThat(r.nTest()).isEqualTo(100);
            assertThat(r.featureDim()).isEqualTo(16);
            assertThat(r.top5()).isEmpty();
            assertThat(r.parameters()).containsKeys("l2", "val_top1", "lbfgs_iterations");
            assertThat(r.parameters().get("n_validation")).isEqualTo(25);
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void shouldStayNearChanceWhenLabelsAreShuffled() {
        Features train = Synthetic.shuffledLabels(Synthetic.clusters(60, 4, 16, 10, 21), 5);
        Features test = Synthetic.clusters(50, 4, 16, 10, 22);
        try (NDManager m = NDManager.newBaseManager()) {
            EvalResult r = LinearEvaluation.run(train, test, LinearEvaluation.Options.defaults(1), m);
            // chance is 0.25; 200 test rows put two standard deviations at about +-0.06
            assertThat(r.top1()).isBetween(0.12, 0.40);
        }
    }

    @Test
    void shouldGiveTheSameFigureForTheSameSeed() {
        Features train = Synthetic.clusters(30, 3, 8, 3, 31);
        Features test = Synthetic.clusters(20, 3, 8, 3, 32);
        try (NDManager m = NDManager.newBaseManager()) {
            EvalResult a = LinearEvaluation.run(train, test, LinearEvaluation.Options.defaults(9), m);
            EvalResult b = LinearEvaluation.run(train, test, LinearEvaluation.Options.defaults(9), m);
            assertThat(a.top1()).isEqualTo(b.top1());
            assertThat(a.parameters().get("l2")).isEqualTo(b.parameters().get("l2"));
            assertThat(a.parameters().get("train_loss")).isEqualTo(b.parameters().get("train_loss"));
        }
    }

    @Test
    void shouldHoldOutATenthOfEveryClass() {
        int[] labels = new int[100];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 70 ? 0 : 1;
        }
        int[][] split = LinearEvaluation.holdOut(labels, 2, 0.1, 3);
        assertThat(split[1]).hasSize(10);
        assertThat(java.util.Arrays.stream(split[1]).filter(i -> i < 70).count()).isEqualTo(7);
        assertThat(split[0].length + split[1].length).isEqualTo(100);
        assertThat(LinearEvaluation.holdOut(labels, 2, 0.1, 3)[1]).containsExactly(split[1]);
    }
}
