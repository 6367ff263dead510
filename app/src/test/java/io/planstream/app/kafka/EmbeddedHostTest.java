package io.planstream.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which embedded-broker addresses count as loopback, the one kind that needs no open-network consent. */
class EmbeddedHostTest {

    @Test
    void shouldTellLoopbackFromOtherAddresses() {
        assertThat(PlatformProducer.loopback("127.0.0.1")).isTrue();
        assertThat(PlatformProducer.loopback("127.0.0.2")).isTrue();
        assertThat(PlatformProducer.loopback("::1")).isTrue();
        assertThat(PlatformProducer.loopback("10.77.0.10")).isFalse();
        assertThat(PlatformProducer.loopback("0.0.0.0")).isFalse();
        assertThat(PlatformProducer.loopback("no-such-host.invalid")).isFalse();
    }
}
