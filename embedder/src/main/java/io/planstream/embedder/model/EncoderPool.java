package io.planstream.embedder.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One {@link ForwardLane}, and so one {@link BatchEncoder}, per stream thread, made on first use by that
 * thread: a predictor is never shared between threads, and the tasks of one stream thread (which run
 * one after another) queue their batches on the same lane.
 */
public final class EncoderPool implements AutoCloseable {

    private final Supplier<BatchEncoder> factory;
    private final boolean inline;
    private final Map<Thread, ForwardLane> byThread = new ConcurrentHashMap<>();

    /** Each stream thread's forward passes run on a thread of their own, beside the stream thread. */
    public EncoderPool(Supplier<BatchEncoder> factory) {
        this(factory, false);
    }

    private EncoderPool(Supplier<BatchEncoder> factory, boolean inline) {
        this.factory = factory;
        this.inline = inline;
    }

    /** Forward passes run on the stream thread itself: for a single-threaded driver such as TopologyTestDriver. */
    public static EncoderPool inline(Supplier<BatchEncoder> factory) {
        return new EncoderPool(factory, true);
    }

    public ForwardLane forCurrentThread() {
        return byThread.computeIfAbsent(Thread.currentThread(),
                t -> inline ? ForwardLane.inline(factory) : ForwardLane.threaded(factory, t.getName() + "-forward"));
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
