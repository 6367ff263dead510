package io.planstream.embedder.model;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the forward passes of one stream thread run: one thread of its own that owns one
 * {@link BatchEncoder} (made on that thread at the first batch) and runs the batches handed to it one
 * after another. The stream thread hands a batch over and goes on polling, committing and producing
 * while it runs; the encoder is never touched by any other thread.
 *
 * <p>An inline lane runs each batch on the caller's thread before {@link #submit} returns, for
 * drivers that must stay on one thread (Kafka Streams' {@code TopologyTestDriver}).
 */
public final class ForwardLane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForwardLane.class);
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final Supplier<BatchEncoder> factory;
    /** Null for an inline lane. */
    private final ExecutorService thread;
    /** Touched only by the lane's thread (or the caller's, inline). */
    private BatchEncoder encoder;

    private ForwardLane(Supplier<BatchEncoder> factory, ExecutorService thread) {
        this.factory = factory;
        this.thread = thread;
    }

    /** A lane with its own daemon thread named {@code name}. */
    static ForwardLane threaded(Supplier<BatchEncoder> factory, String name) {
        return new ForwardLane(factory, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }));
    }

    /** A lane that runs each batch on the thread that submits it. */
    static ForwardLane inline(Supplier<BatchEncoder> factory) {
        return new ForwardLane(factory, null);
    }

    /**
     * Runs {@code job} with this lane's encoder after the batches submitted before it.
     *
     * @return the job's result, or its exception
     */
    public <T> CompletableFuture<T> submit(Function<BatchEncoder, T> job) {
        if (thread == null) {
            try {
                return CompletableFuture.completedFuture(job.apply(encoder()));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.supplyAsync(() -> job.apply(encoder()), thread);
    }

    private BatchEncoder encoder() {
        if (encoder == null) {
            encoder = factory.get();
        }
        return encoder;
    }

    /** Lets the batch that runs finish, drops those waiting, and frees the encoder on the lane's thread. */
    @Override
    public void close() {
        if (thread == null) {
            closeEncoder();
            return;
        }
        thread.shutdownNow().forEach(dropped -> LOG.debug("forward lane closed with a batch waiting: {}", dropped));
        try {
            if (!thread.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("a forward pass still runs {} s after its lane was closed; its encoder is left to the process", CLOSE_WAIT_SECONDS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // The lane's thread has ended: no other thread can be using the encoder now.
        closeEncoder();
    }

    private void closeEncoder() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }
}
