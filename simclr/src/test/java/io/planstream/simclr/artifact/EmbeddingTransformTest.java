package io.planstream.simclr.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The served embedding's transform: fitted by hand on small cases, whitening checked on its own output, the file. */
class EmbeddingTransformTest {

    @TempDir Path tmp;

    @Test
    void centreTakesAwayTheMeanOfTheRowsItWasFittedOn() {
        float[] rows = {1, 2, 3, 6, 5, 10};
        EmbeddingTransform t = EmbeddingTransform.fit(EmbeddingTransform.Kind.CENTRE, rows, 2, 0.5, "three rows");
        assertThat(t.mean()).containsExactly(3f, 6f);
        assertThat(t.matrix()).isNull();
        assertThat(t.shrinkage()).isZero();
        assertThat(t.fittedOn()).isEqualTo(3);
        assertThat(t.apply(rows)).containsExactly(-2f, -4f, 0f, 0f, 2f, 4f);
        assertThat(t.apply(new float[] {3, 7})).containsExactly(0f, 1f);
        assertThat(rows).as("the input is not changed").containsExactly(1, 2, 3, 6, 5, 10);
    }

    @Test
    void centredCosinesOfFeaturesInANarrowConeSpreadAroundZero() {
        // Non-negative features with a large common part, as a ReLU encoder gives: raw cosines all near 1.
        Random r = new Random(4);
        int n = 400;
        int d = 16;
        float[] rows = new float[n * d];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = 5 + (float) r.nextGaussian();
        }
        EmbeddingTransform t = EmbeddingTransform.fit(EmbeddingTransform.Kind.CENTRE, rows, d, 0, "cone");
        float[] centred = t.apply(rows);
        assertThat(meanCosine(rows, n, d)).isGreaterThan(0.95);
        assertThat(Math.abs(meanCosine(centred, n, d))).isLessThan(0.05);
    }

    @Test
    void whiteningWithoutShrinkageGivesTheTrainingRowsTheIdentityCovariance() {
        Random r = new Random(5);
        int n = 2000;
        int d = 4;
        float[] rows = new float[n * d];
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            // Correlated features of very different scales.
            rows[i * d] = (float) (10 * a + 3);
            rows[i * d + 1] = (float) (10 * a + 0.5 * b);
            rows[i * d + 2] = (float) (0.1 * r.nextGaussian());
            rows[i * d + 3] = (float) (2 * b + r.nextGaussian());
        }
        EmbeddingTransform t = EmbeddingTransform.fit(EmbeddingTransform.Kind.WHITEN, rows, d, 0, "four features");
        double[][] cov = covariance(t.apply(rows), n, d);
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                assertThat(cov[a][b]).as("cov[%d][%d]", a, b).isCloseTo(a == b ? 1 : 0, within(1e-3));
            }
        }
        EmbeddingTransform shrunk = EmbeddingTransform.fit(EmbeddingTransform.Kind.WHITEN, rows, d, 1, "shrunk");
        double[][] shrunkCov = covariance(shrunk.apply(rows), n, d);
        assertThat(shrunkCov[2][2]).as("a direction of little variance is not blown up to 1").isLessThan(0.01);
    }

    @Test
    void aTransformWrittenIntoAnArtifactReadsBackAndAWrongOneIsRefusedWithItsReason() throws IOException {
        float[] rows = {1, 2, 3, 4, 5, 6, 7, 9};
        EmbeddingTransform t = EmbeddingTransform.fit(EmbeddingTransform.Kind.WHITEN, rows, 2, 0.1, "four rows");
        t.write(tmp);
        assertThat(EmbeddingTransform.read(tmp, 2)).isEqualTo(t);
        assertThat(EmbeddingTransform.read(tmp.resolve("none"), 2)).as("an artifact without one").isNull();
        assertThatThrownBy(() -> EmbeddingTransform.read(tmp, 3)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("transforms 2-dimensional features but the encoder gives 3");
        Files.writeString(tmp.resolve(EmbeddingTransform.FILE), "{\"kind\":\"centre\",\"dim\":2,\"mean\":[1],"
                + "\"matrix\":null,\"shrinkage\":0,\"fitted_on\":4,\"fitted_data\":\"x\"}");
        assertThatThrownBy(() -> EmbeddingTransform.read(tmp, 2)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("mean must hold dim = 2 values, got 1");
        Files.writeString(tmp.resolve(EmbeddingTransform.FILE), "{\"kind\":\"rotate\"}");
        assertThatThrownBy(() -> EmbeddingTransform.read(tmp, 2)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("unknown embedding transform 'rotate'");
    }

    @Test
    void specsParseAndRefuseWhatIsNotATransform() {
        assertThat(EmbeddingTransform.Spec.parse("raw").raw()).isTrue();
        assertThat(EmbeddingTransform.Spec.parse("centre")).isEqualTo(EmbeddingTransform.Spec.DEFAULT);
        assertThat(EmbeddingTransform.Spec.parse("whiten"))
                .isEqualTo(new EmbeddingTransform.Spec(EmbeddingTransform.Kind.WHITEN, EmbeddingTransform.DEFAULT_SHRINKAGE));
        assertThat(EmbeddingTransform.Spec.parse("whiten:0.5").shrinkage()).isEqualTo(0.5);
        assertThat(EmbeddingTransform.Spec.parse("whiten:0.5")).hasToString("whiten:0.5");
        assertThatThrownBy(() -> EmbeddingTransform.Spec.parse("centre:1")).hasMessageContaining("only whiten takes a shrinkage");
        assertThatThrownBy(() -> EmbeddingTransform.Spec.parse("whiten:-1")).hasMessageContaining("finite and >= 0");
        assertThatThrownBy(() -> EmbeddingTransform.Spec.parse("whiten:x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> EmbeddingTransform.Spec.parse("pca")).hasMessageContaining("raw, centre or whiten");
        assertThatThrownBy(() -> EmbeddingTransform.fit(EmbeddingTransform.Kind.CENTRE, new float[] {1, 2}, 2, 0, "one"))
                .hasMessageContaining("at least 2 rows");
        assertThatThrownBy(() -> EmbeddingTransform.fit(EmbeddingTransform.Kind.CENTRE, new float[] {1, 2, 3}, 2, 0, "x"))
                .hasMessageContaining("not whole rows of 2");
    }

    private static double meanCosine(float[] rows, int n, int d) {
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < n; i += 7) {
            for (int j = i + 1; j < n; j += 5) {
                double dot = 0;
                double ni = 0;
                double nj = 0;
                for (int k = 0; k < d; k++) {
                    dot += rows[i * d + k] * rows[j * d + k];
                    ni += rows[i * d + k] * rows[i * d + k];
                    nj += rows[j * d + k] * rows[j * d + k];
                }
                sum += dot / Math.sqrt(ni * nj);
                pairs++;
            }
        }
        return sum / pairs;
    }

    private static double[][] covariance(float[] rows, int n, int d) {
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                mean[k] += rows[i * d + k] / (double) n;
            }
        }
        double[][] cov = new double[d][d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    cov[a][b] += (rows[i * d + a] - mean[a]) * (rows[i * d + b] - mean[b]) / n;
                }
            }
        }
        return cov;
    }
}
