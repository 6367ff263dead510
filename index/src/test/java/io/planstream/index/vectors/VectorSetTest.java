package io.planstream.index.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class VectorSetTest {

    @Test
    void shouldHoldRowsOfOneArray() {
        VectorSet v = new VectorSet(2, new float[] {1, 2, 3, 4, 5, 6});
        assertThat(v.size()).isEqualTo(3);
        assertThat(v.get(1)).containsExactly(3, 4);
        assertThatThrownBy(() -> new VectorSet(4, new float[6])).hasMessage("6 floats are not a whole number of vectors of 4");
    }

    @Test
    void shouldNormaliseACopy() {
        float[] data = {3, 4, 0, -2};
        VectorSet unit = new VectorSet(2, data).normalised();
        assertThat(unit.data()).containsExactly(new float[] {0.6f, 0.8f, 0, -1}, within(1e-7f));
        assertThat(data).containsExactly(3, 4, 0, -2);
        assertThatThrownBy(() -> new VectorSet(2, new float[] {1, 1, 0, 0}).normalised())
                .hasMessageContaining("vector 1 has length 0.0");
    }
}
