package io.planstream.platform.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Test helper: waits until a condition holds, checking at growing intervals (10 ms doubling to 500 ms) up to a
 * bound, then fails naming what it waited for. For conditions with no event to listen to (an index caught
 * up, a page showing a result).
 */
public final class Await {

    private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(500);

    private Await() {
    }

    /** @throws AssertionError when {@code condition} does not hold within {@code timeout} */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        until(what, timeout, condition, () -> "");
    }

    /**
     * As {@link #until(String, Duration, BooleanSupplier)}; the failure also says {@code state}, e.g. the service's
     * status at the time.
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE.toMillis();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String s = state.get();
                throw new AssertionError("not within " + timeout + ": " + what + (s.isEmpty() ? "" : "; " + s));
            }
            Thread.sleep(pause);
            pause = Math.min(2 * pause, LONGEST_PAUSE.toMillis());
        }
    }
}
