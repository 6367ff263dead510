package io.planstream.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageLimitsTest {

    @Test
    void shouldDefaultToTenMebibytesTenThousandPixelsASideAndFortyMegapixels() {
        ImageLimits limits = ImageLimits.defaults();

        assertThat(limits.maxBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(limits.maxWidth()).isEqualTo(10_000);
        assertThat(limits.maxHeight()).isEqualTo(10_000);
        assertThat(limits.maxPixels()).isEqualTo(40_000_000L);
    }

    @Test
    void shouldRejectLimitsThatAreNotPositiveNamingTheField() {
        assertThatThrownBy(() -> new ImageLimits(0, 1, 1, 1)).hasMessage("maxBytes must be positive, got 0");
        assertThatThrownBy(() -> new ImageLimits(1, 1, -5, 1)).hasMessage("maxHeight must be positive, got -5");
    }
}
