package io.planstream.index.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TsneTest {

    /**
     * Ten seeded Gaussian clusters in 32 dimensions, apart in the full space: PCA's first two axes mix them
     * (leave-one-out 1-NN accuracy in 2-D about 0.6), t-SNE's map keeps them apart (about 1.0).
     */
    @Test
    void shouldKeepClustersApartInTwoDimensions() {
        Random r = new Random(3);
        int clusters = 10;
        int perCluster = 20;
        int d = 32;
        double[][] centres = new double[clusters][d];
        for (double[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = r.nextGaussian();
            }
        }
        List<float[]> points = new ArrayList<>();
        int[] labels = new int[clusters * perCluster];
        for (int c = 0; c < clusters; c++) {
            for (int i = 0; i < perCluster; i++) {
                float[] v = new float[d];
                for (int j = 0; j < d; j++) {
                    v[j] = (float) (centres[c][j] + r.nextGaussian());
                }
                labels[points.size()] = c;
                points.add(v);
            }
        }
        double[][] x = points.stream().map(v -> {
            double[] out = new double[d];
            for (int j = 0; j < d; j++) {
                out[j] = v[j];
            }
            return out;
        }).toArray(double[][]::new);
        Projection.Result pca = Projection.pca(points, 1);
        double[][] map = Tsne.embed(x, pca.xy(), 30);

        assertThat(nearestNeighbourAccuracy(pca.xy(), labels)).isLessThan(0.8);
        assertThat(nearestNeighbourAccuracy(map, labels)).isGreaterThanOrEqualTo(0.95);
        // The same input gives the same map.
        assertThat(Tsne.embed(x, pca.xy(), 30)).isDeepEqualTo(map);
    }

    @Test
    void shouldRefuseMorePointsThanItCanMapQuickly() {
        assertThatThrownBy(() -> Tsne.embed(new double[Tsne.MAX_POINTS + 1][2], new double[Tsne.MAX_POINTS + 1][2], 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 2000 points");
    }

    private static double nearestNeighbourAccuracy(double[][] y, int[] labels) {
        int right = 0;
        for (int i = 0; i < y.length; i++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int j = 0; j < y.length; j++) {
                double dx = y[i][0] - y[j][0];
                double dy = y[i][1] - y[j][1];
                if (j != i && dx * dx + dy * dy < bestD) {
                    bestD = dx * dx + dy * dy;
                    best = j;
                }
            }
            right += labels[best] == labels[i] ? 1 : 0;
        }
        return right / (double) y.length;
    }
}
