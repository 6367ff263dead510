package io.planstream.simclr.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.planstream.simclr.SimClrEngine;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NtXentLossTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    /** An independent reference in plain doubles, written straight from equation 1. */
    static double reference(double[][] z, double tau) {
        int views = z.length;
        int n = views / 2;
        double[][] u = new double[views][];
        for (int i = 0; i < views; i++) {
            double norm = 0;
            for (double v : z[i]) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            u[i] = new double[z[i].length];
            for (int k = 0; k < z[i].length; k++) {
                u[i][k] = z[i][k] / norm;
            }
        }
        double total = 0;
        for (int i = 0; i < views; i++) {
            int pos = (i + n) % views;
            double denominator = 0;
            double positive = 0;
            for (int k = 0; k < views; k++) {
                if (k == i) {
                    continue;
                }
                double sim = 0;
                for (int d = 0; d < u[i].length; d++) {
                    sim += u[i][d] * u[k][d];
                }
                denominator += Math.exp(sim / tau);
                if (k == pos) {
                    positive = sim / tau;
                }
            }
            total += -positive + Math.log(denominator);
        }
        return total / views;
    }

    private static double[][] randomViews(int views, int dim, long seed) {
        Random r = new Random(seed);
        double[][] z = new double[views][dim];
        for (double[] row : z) {
            for (int d = 0; d < dim; d++) {
                row[d] = r.nextGaussian();
            }
        }
        return z;
    }

    private static NDArray array(NDManager m, double[][] z, DataType type) {
        double[] flat = new double[z.length * z[0].length];
        for (int i = 0; i < z.length; i++) {
            System.arraycopy(z[i], 0, flat, i * z[0].length, z[0].length);
        }
        return m.create(flat, new Shape(z.length, z[0].length)).toType(type, false);
    }

    @Test
    void shouldMatchValueComputedByHand() {
        // Views: a, b, a', b' with a = a' = e1 and b = b' = e2 (unnormalised on purpose).
        // Each view: positive similarity 1, two negatives of similarity 0, so
        // l = -1/tau + log(exp(1/tau) + 2) for every view.
        double[][] z = {{2, 0, 0}, {0, 3, 0}, {5, 0, 0}, {0, 0.5, 0}};
        try (NDManager m = NDManager.newBaseManager()) {
            float tau1 = NtXentLoss.compute(array(m, z, DataType.FLOAT32), 1f).getFloat();
            assertThat((double) tau1).isCloseTo(Math.log(Math.E + 2) - 1, within(1e-6));
            assertThat((double) tau1).isCloseTo(0.5514447139, within(1e-6));
            float tauHalf = NtXentLoss.compute(array(m, z, DataType.FLOAT32), 0.5f).getFloat();
            assertThat((double) tauHalf).isCloseTo(Math.log(Math.exp(2) + 2) - 2, within(1e-6));
        }
    }

    @Test
    void shouldMatchIndependentReferenceOnRandomInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int seed = 0; seed < 5; seed++) {
                double[][] z = randomViews(4, 3, seed);
                for (float tau : new float[] {0.1f, 0.5f, 1f}) {
                    double expected = reference(z, tau);
                    double got64 = NtXentLoss.compute(array(m, z, DataType.FLOAT64), tau).getDouble();
                    float got32 = NtXentLoss.compute(array(m, z, DataType.FLOAT32), tau).getFloat();
                    assertThat(got64).isCloseTo(expected, within(1e-10));
                    assertThat((double) got32).isCloseTo(expected, within(1e-4 * Math.max(1, expected)));
                }
            }
        }
    }

    @Test
    void shouldTakeTheTwoViewsSeparatelyOrStackedAndZLastFromTheTrainer() {
        double[][] z = randomViews(6, 5, 11);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray all = array(m, z, DataType.FLOAT64);
            NDArray first = all.get("0:3");
            NDArray second = all.get("3:6");
            NDArray h = m.randomNormal(new Shape(6, 9)).toType(DataType.FLOAT64, false);
            NtXentLoss loss = new NtXentLoss(0.5f);
            double stacked = NtXentLoss.compute(all, 0.5f).getDouble();
            double pair = NtXentLoss.compute(first, second, 0.5f).getDouble();
            double trainer = loss.evaluate(new NDList(), new NDList(h, all)).getDouble();
            assertThat(pair).isCloseTo(stacked, within(1e-12));
            assertThat(trainer).isCloseTo(stacked, within(1e-12));
            assertThat(stacked).isCloseTo(reference(z, 0.5), within(1e-10));
        }
    }

    @Test
    void shouldBeLowWhenViewsAgreeAndHighWhenTheyDoNot() {
        // Orthogonal images whose two views coincide: the loss is near its minimum, log(1 + 2 e^{-1/tau}) per view,
        // while swapping the pairing makes every positive a negative.
        double[][] aligned = {{1, 0, 0, 0}, {0, 1, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}};
        double[][] swapped = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 1, 0, 0}, {1, 0, 0, 0}};
        try (NDManager m = NDManager.newBaseManager()) {
            float low = NtXentLoss.compute(array(m, aligned, DataType.FLOAT32), 0.1f).getFloat();
            float high = NtXentLoss.compute(array(m, swapped, DataType.FLOAT32), 0.1f).getFloat();
            assertThat((double) low).isLessThan(1e-3);
            assertThat((double) high).isGreaterThan(9.0);
        }
    }

    @Test
    void gradientShouldMatchCentralFiniteDifferences() {
        // FLOAT64 throughout; step 1e-6 gives central differences accurate to ~1e-9 here.
        double[][] z = randomViews(6, 3, 3);
        double tau = 0.5;
        double h = 1e-6;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = array(m, z, DataType.FLOAT64);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = NtXentLoss.compute(x, (float) tau);
                gc.backward(loss);
            }
            double[] analytic = x.getGradient().toDoubleArray();
            double maxError = 0;
            double maxGrad = 0;
            for (int i = 0; i < z.length; i++) {
                for (int d = 0; d < z[0].length; d++) {
                    double keep = z[i][d];
                    z[i][d] = keep + h;
                    double plus = NtXentLoss.compute(array(m, z, DataType.FLOAT64), (float) tau).getDouble();
                    z[i][d] = keep - h;
                    double minus = NtXentLoss.compute(array(m, z, DataType.FLOAT64), (float) tau).getDouble();
                    z[i][d] = keep;
                    double numeric = (plus - minus) / (2 * h);
                    maxError = Math.max(maxError, Math.abs(numeric - analytic[i * z[0].length + d]));
                    maxGrad = Math.max(maxGrad, Math.abs(numeric));
                }
            }
            assertThat(maxGrad).isGreaterThan(1e-3);
            assertThat(maxError).isLessThan(1e-7);
        }
    }

    @Test
    void shouldRejectBadShapesAndTemperatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> NtXentLoss.compute(m.ones(new Shape(3, 4)), 0.5f))
                    .hasMessageContaining("(2N, d)");
            assertThatThrownBy(() -> NtXentLoss.compute(m.ones(new Shape(2, 4)), 0f))
                    .hasMessageContaining("temperature");
            assertThatThrownBy(
                            () -> NtXentLoss.compute(m.ones(new Shape(2, 4)), m.ones(new Shape(3, 4)), 0.5f))
                    .hasMessageContaining("z1 and z2");
        }
    }
}
