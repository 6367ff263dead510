package io.planstream.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.planstream.platform.KafkaPlatform;

/**
 * The ingest library does not carry the in-process broker (only the processes that embed one do), so
 * a platform without {@code bootstrap.servers} is refused with a message, not a class-loading error.
 */
class BrokerlessPlatformTest {

    @Test
    void theBrokerModuleIsNotOnThisClasspath() {
        assertThatThrownBy(() -> Class.forName("io.planstream.broker.EmbeddedKafka"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void aPlatformWithoutBootstrapServersSaysWhatIsMissing() {
        assertThatThrownBy(() -> KafkaPlatform.builder().start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no bootstrap.servers is configured")
                .hasMessageContaining("planstream-broker")
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }
}
