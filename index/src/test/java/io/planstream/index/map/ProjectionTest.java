package io.planstream.index.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ProjectionTest {

    @Test
    void shouldFindTheTwoDirectionsOfLargestVarianceInOrder() {
        // 2,000 seeded points in 64 dimensions: spread 10 along e3, 4 along e7, 0.3 elsewhere.
        Random r = new Random(7);
        int d = 64;
        List<float[]> points = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            float[] v = new float[d];
            for (int j = 0; j < d; j++) {
                v[j] = (float) (0.3 * r.nextGaussian() + 5);
            }
            v[3] += (float) (10 * r.nextGaussian());
            v[7] += (float) (4 * r.nextGaussian());
            points.add(v);
        }
        Projection.Result p = Projection.pca(points, 1);
        assertThat(Math.abs(p.axes()[0][3])).isGreaterThan(0.99);
        assertThat(Math.abs(p.axes()[1][7])).isGreaterThan(0.99);
        double total = 100 + 16 + 62 * 0.09;
        assertThat(p.explained()[0]).isCloseTo(100 / total, within(0.05));
        assertThat(p.explained()[1]).isCloseTo(16 / total, within(0.03));
        double dot = 0;
        for (int j = 0; j < d; j++) {
            dot += p.axes()[0][j] * p.axes()[1][j];
        }
        assertThat(dot).isCloseTo(0, within(1e-9));
        // The projection is centred and carries each point's coordinate along the axes.
        double meanX = 0;
        for (double[] xy : p.xy()) {
            meanX += xy[0] / p.xy().length;
        }
        assertThat(meanX).isCloseTo(0, within(1e-6));
    }

    @Test
    void shouldRefuseVectorsOfDifferentDimensions() {
        assertThatThrownBy(() -> Projection.pca(List.of(new float[3], new float[4]), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector 1 has 4 dimensions");
    }
}
