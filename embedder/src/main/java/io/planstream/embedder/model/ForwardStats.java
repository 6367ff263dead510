package io.planstream.embedder.model;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The embedder streams' forward passes in this process (not the query encoders'), as running totals: passes,
 * images and the CPU time of the threads that ran them. Images over passes is the mean batch; CPU over images what an image costs,
 * which at one plan a pass is nearly twice what it is in fours (resnet-mini at 64 px with the 8 views). Counted
 * for the process, not per encoder, so the totals never go back when a model version retires.
 */
public final class ForwardStats {

    private static final ForwardStats PROCESS = new ForwardStats();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final LongAdder passes = new LongAdder();
    private final LongAdder images = new LongAdder();
    private final LongAdder cpuNanos = new LongAdder();

    private ForwardStats() {
    }

    public static ForwardStats process() {
        return PROCESS;
    }

    /** CPU time of the calling thread in ns, or -1 where the JVM does not measure it. */
    public static long threadCpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    /** One forward pass of {@code n} images that took the calling thread from {@code cpuBefore} (-1: unknown). */
    public void record(int n, long cpuBefore) {
        passes.increment();
        images.add(n);
        if (cpuBefore >= 0) {
            cpuNanos.add(Math.max(0, threadCpuNanos() - cpuBefore));
        }
    }

    public long passes() {
        return passes.sum();
    }

    public long images() {
        return images.sum();
    }

    public double cpuSeconds() {
        return cpuNanos.sum() / 1e9;
    }
}
