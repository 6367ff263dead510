package io.planstream.index.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ClusteredVectorsTest {

    @Test
    void shouldBeReproducibleFromItsSeeds() {
        VectorSet a = new ClusteredVectors(16, 10, 0.8, 1).sample(100, 2);
        VectorSet b = new ClusteredVectors(16, 10, 0.8, 1).sample(100, 2);
        VectorSet c = new ClusteredVectors(16, 10, 0.8, 1).sample(100, 3);
        assertThat(a.data()).containsExactly(b.data());
        assertThat(a.data()).isNotEqualTo(c.data());
    }

    @Test
    void shouldDrawUnitVectors() {
        VectorSet v = new ClusteredVectors(64, 10, 0.8, 1).sample(200, 2);
        for (int i = 0; i < v.size(); i++) {
            double norm = 0;
            for (float x : v.get(i)) {
                norm += x * x;
            }
            assertThat(norm).isCloseTo(1, within(1e-5));
        }
    }

    @Test
    void shouldPutPointsNearTheirCentres() {
        // spread 0: every point is one of the centres
        VectorSet centres = new ClusteredVectors(32, 7, 0, 1).sample(500, 2);
        Set<List<Float>> distinct = new HashSet<>();
        for (int i = 0; i < centres.size(); i++) {
            float[] v = centres.get(i);
            Float[] boxed = new Float[v.length];
            Arrays.setAll(boxed, j -> v[j]);
            distinct.add(List.of(boxed));
        }
        assertThat(distinct).hasSize(7);
        // spread s: two points of one cluster have a cosine of about 1 / (1 + s^2)
        VectorSet one = new ClusteredVectors(256, 1, 0.8, 1).sample(200, 2);
        double mean = 0;
        for (int i = 0; i < 100; i++) {
            float[] x = one.get(2 * i);
            float[] y = one.get(2 * i + 1);
            for (int j = 0; j < x.length; j++) {
                mean += x[j] * y[j] / 100;
            }
        }
        assertThat(mean).isCloseTo(1 / (1 + 0.64), within(0.03));
    }

    @Test
    void shouldDefaultToTheSquareRootOfTheCountClusters() {
        assertThat(ClusteredVectors.defaultClusters(100_000)).isEqualTo(316);
        assertThat(ClusteredVectors.defaultClusters(0)).isEqualTo(1);
    }
}
