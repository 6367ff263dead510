package io.planstream.embedder.model;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One {@link ForwardLane} per stream thread, made on first use by that thread, with one
 * {@link BatchEncoder} per worker of the lane: a predictor is never shared between threads, and the
 * tasks of one stream thread (which run one after another) queue their batches on the same lane.
 */
public final class EncoderPool implements AutoCloseable {

    private final Supplier<BatchEncoder> factory;
    /** Null for inline lanes. */
    private final ForwardWorkers workers;
    private final Map<Thread, ForwardLane> byThread = new ConcurrentHashMap<>();

    /** Each stream thread's forward passes run on one thread of their own, beside the stream thread. */
    public EncoderPool(Supplier<BatchEncoder> factory) {
        this(factory, ForwardWorkers.single());
    }

    /** Each stream thread's forward passes run on {@code workers} threads of their own, each with its own encoder. */
    public EncoderPool(Supplier<BatchEncoder> factory, ForwardWorkers workers) {
        this(factory, Objects.requireNonNull(workers, "workers"), false);
    }

    private EncoderPool(Supplier<BatchEncoder> factory, ForwardWorkers workers, boolean inline) {
        this.factory = factory;
        this.workers = inline ? null : workers;
    }

    /** Forward passes run on the stream thread itself: for a single-threaded driver such as TopologyTestDriver. */
    public static EncoderPool inline(Supplier<BatchEncoder> factory) {
        return new EncoderPool(factory, null, true);
    }

    public ForwardLane forCurrentThread() {
        return byThread.computeIfAbsent(Thread.currentThread(),
                t -> workers == null ? ForwardLane.inline(factory) : ForwardLane.threaded(factory, t.getName() + "-forward", workers));
    }

    /** Frees the lane and encoder of a thread that has stopped. */
    public void release(Thread thread) {
        ForwardLane lane = byThread.remove(thread);
        if (lane != null) {
            lane.close();
        }
    }

    @Override
    public void close() {
        byThread.values().forEach(ForwardLane::close);
        byThread.clear();
    }
}
