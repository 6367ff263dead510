package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.planstream.simclr.SimClrEngine;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SoftmaxRegressionTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    @Test
    void shouldMatchTheGradientByFiniteDifferences() {
        Features f = Synthetic.clusters(10, 3, 4, 2, 7);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = LinearEvaluation.toArray(m, f);
            try (SoftmaxRegression.Objective objective = new SoftmaxRegression.Objective(x, f.labels(), 3, 0.3)) {
                Random r = new Random(3);
                double[] theta = new double[objective.size()];
                for (int i = 0; i < theta.length; i++) {
                    theta[i] = 0.5 * r.nextGaussian();
                }
                double[] g = new double[theta.length];
                objective.evaluate(theta, g);
                double h = 1e-3;
                for (int i = 0; i < theta.length; i++) {
                    double[] plus = theta.clone();
                    double[] minus = theta.clone();
                    plus[i] += h;
                    minus[i] -= h;
                    double numeric = (objective.evaluate(plus, new double[theta.length])
                            - objective.evaluate(minus, new double[theta.length])) / (2 * h);
                    assertThat(g[i]).as("d/dtheta[%d]", i).isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-4));
                }
            }
            // the objective's arrays are gone; x is still the caller's
            assertThat(m.getManagedArrays()).hasSize(1);
        }
    }

    @Test
    void shouldSeparateLinearlySeparableClassesAndConverge() {
        Features train = Synthetic.clusters(60, 4, 8, 12, 1);
        Features test = Synthetic.clusters(25, 4, 8, 12, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            SoftmaxRegression.Model model = SoftmaxRegression.fit(LinearEvaluation.toArray(m, train), train.labels(), 4,
                    SoftmaxRegression.Options.of(1e-3), null);
            assertThat(model.converged()).isTrue();
            double acc = Accuracy.of(model.scores(LinearEvaluation.toArray(m, test)), test.labels(), 4).top1();
            assertThat(acc).isGreaterThanOrEqualTo(0.98);
        }
    }

    @Test
    void strongerRegularisationShouldGiveSmallerWeights() {
        Features train = Synthetic.clusters(30, 3, 5, 6, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = LinearEvaluation.toArray(m, train);
            double weak = norm(SoftmaxRegression.fit(x, train.labels(), 3, SoftmaxRegression.Options.of(1e-4), null).weights());
            double strong = norm(SoftmaxRegression.fit(x, train.labels(), 3, SoftmaxRegression.Options.of(1), null).weights());
            assertThat(strong).isLessThan(weak / 3);
        }
    }

    private static double norm(float[] w) {
        double s = 0;
        for (float v : w) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
