package io.planstream.platform.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void shouldReturnOnceTheConditionHolds() throws InterruptedException {
        AtomicInteger checks = new AtomicInteger();
        Await.until("the third check", Duration.ofSeconds(5), () -> checks.incrementAndGet() >= 3);
        assertThat(checks).hasValue(3);
    }

    @Test
    void shouldFailAfterTheBoundNamingWhatItWaitedForAndTheState() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Await.until("never", Duration.ofMillis(300), () -> false, () -> "lag 7"))
                .isInstanceOf(AssertionError.class).hasMessage("not within PT0.3S: never; lag 7");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
    }
}
