package io.planstream.app.embedder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The Kafka Streams settings the embedder role derives from its configuration. */
class EmbedderStreamsOverridesTest {

    @Test
    void shouldLeaveTheSessionTimeoutToKafkaWhenNoneIsConfigured() {
        assertThat(EmbedderRole.streamsOverrides(2, Duration.ofMillis(100), Optional.empty()))
                .containsOnlyKeys("num.stream.threads", "commit.interval.ms")
                .containsEntry("num.stream.threads", 2)
                .containsEntry("commit.interval.ms", 100L);
    }

    @Test
    void shouldHeartbeatAtAThirdOfAConfiguredSessionTimeout() {
        assertThat(EmbedderRole.streamsOverrides(1, Duration.ofMillis(100), Optional.of(Duration.ofSeconds(6))))
                .containsEntry("consumer.session.timeout.ms", 6_000)
                .containsEntry("consumer.heartbeat.interval.ms", 2_000);
    }

    @Test
    void shouldRejectASessionTimeoutOfZero() {
        assertThatThrownBy(() -> EmbedderRole.streamsOverrides(1, Duration.ofMillis(100), Optional.of(Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("planstream.embedder.session-timeout").hasMessageContaining("PT0S");
    }
}
