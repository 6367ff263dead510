package io.planstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UploadTokenTest {

    @Test
    void shouldReadWhatItWrites() {
        UploadToken t = new UploadToken(3, 1_542L);
        assertThat(t.toString()).isEqualTo("3:1542");
        assertThat(UploadToken.parse(" 3:1542 ")).isEqualTo(t);
    }

    @Test
    void shouldSayWhatIsWrongWithAToken() {
        assertThatThrownBy(() -> UploadToken.parse("3")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition:offset")
                .hasMessageContaining("'3'");
        assertThatThrownBy(() -> UploadToken.parse("a:b")).hasMessageContaining("two whole numbers");
        assertThatThrownBy(() -> UploadToken.parse("3:")).hasMessageContaining("partition:offset");
        assertThatThrownBy(() -> UploadToken.parse(null)).hasMessageContaining("partition:offset");
        assertThatThrownBy(() -> UploadToken.parse("-1:5")).hasMessageContaining("at least 0");
    }
}
