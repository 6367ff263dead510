package io.planstream.embedder.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One {@link BatchEncoder} per stream thread, made on first use by that thread: a predictor is never
 * shared between threads, and the tasks of one thread (which run one after another) share its copy.
 */
public final class EncoderPool implements AutoCloseable {

    private final Supplier<BatchEncoder> factory;
    private final Map<Thread, BatchEncoder> byThread = new ConcurrentHashMap<>();

    public EncoderPool(Supplier<BatchEncoder> factory) {
        this.factory = factory;
    }

    public BatchEncoder forCurrentThread() {
        return byThread.computeIfAbsent(Thread.currentThread(), t -> factory.get());
    }

    /** Frees the encoder of a thread that has stopped. */
    public void release(Thread thread) {
        BatchEncoder e = byThread.remove(thread);
        if (e != null) {
            e.close();
        }
    }

    @Override
    public void close() {
        byThread.values().forEach(BatchEncoder::close);
        byThread.clear();
    }
}
