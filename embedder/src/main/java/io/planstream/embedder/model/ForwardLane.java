package io.planstream.embedder.model;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.simclr.SimClrEngine;

/**
 * Where the forward passes of one stream thread run: {@link ForwardWorkers#count()} threads of its own,
 * each owning one {@link BatchEncoder} (made on that thread at its first batch), which take the batches
 * handed over in order, each the next one free. The stream thread hands a batch over and goes on
 * polling, committing and producing while it runs; an encoder is never touched by any thread but its
 * worker. With one worker the batches run one after another; with more, side by side, and they may
 * finish out of order (the caller writes the results in its own order).
 *
 * <p>An inline lane runs each batch on the caller's thread before {@link #submit} returns, for
 * drivers that must stay on one thread (Kafka Streams' {@code TopologyTestDriver}).
 */
public final class ForwardLane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForwardLane.class);
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final Supplier<BatchEncoder> factory;
    private final int workers;
    /** Null for an inline lane. */
    private final ExecutorService threads;
    /** Each worker's encoder, by worker thread; an entry is touched only by its thread until the lane has ended. */
    private final Map<Thread, BatchEncoder> encoders = new ConcurrentHashMap<>();

    private ForwardLane(Supplier<BatchEncoder> factory, int workers, ExecutorService threads) {
        this.factory = factory;
        this.workers = workers;
        this.threads = threads;
    }

    /** A lane with its own daemon threads, named {@code name} (and a number where there are several). */
    public static ForwardLane threaded(Supplier<BatchEncoder> factory, String name, ForwardWorkers workers) {
        AtomicInteger made = new AtomicInteger();
        return new ForwardLane(factory, workers.count(), Executors.newFixedThreadPool(workers.count(), r -> {
            String threadName = workers.count() == 1 ? name : name + "-" + made.incrementAndGet();
            Thread t = new Thread(() -> {
                if (workers.intraOpThreads() != ForwardWorkers.ENGINE_DEFAULT) {
                    SimClrEngine.intraOpThreadsInThisThread(workers.intraOpThreads());
                }
                r.run();
            }, threadName);
            t.setDaemon(true);
            return t;
        }));
    }

    /** A lane that runs each batch on the thread that submits it. */
    static ForwardLane inline(Supplier<BatchEncoder> factory) {
        return new ForwardLane(factory, 1, null);
    }

    /** How many batches this lane runs at once. */
    public int workers() {
        return workers;
    }

    /**
     * Whether batches run on the caller's thread: there, a worker is never idle while the caller
     * gathers records, so a batch leaves only when full or when it has waited long enough.
     */
    public boolean inline() {
        return threads == null;
    }

    /** Batches a caller keeps out at once: one in each worker's forward pass and the next one queued behind them. */
    public int maxInFlight() {
        return workers + 1;
    }

    /**
     * Runs {@code job} with a worker's encoder once a worker is free and the batches submitted before it
     * have started.
     *
     * @return the job's result, or its exception
     */
    public <T> CompletableFuture<T> submit(Function<BatchEncoder, T> job) {
        if (threads == null) {
            try {
                return CompletableFuture.completedFuture(job.apply(encoder()));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.supplyAsync(() -> job.apply(encoder()), threads);
    }

    private BatchEncoder encoder() {
        return encoders.computeIfAbsent(Thread.currentThread(), t -> factory.get());
    }

    /** Lets the batches that run finish, drops those waiting, and frees the encoders. */
    @Override
    public void close() {
        if (threads == null) {
            closeEncoders();
            return;
        }
        threads.shutdownNow().forEach(dropped -> LOG.debug("forward lane closed with a batch waiting: {}", dropped));
        try {
            if (!threads.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("a forward pass still runs {} s after its lane was closed; its encoders are left to the process", CLOSE_WAIT_SECONDS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // The workers have ended: no other thread can be using an encoder now.
        closeEncoders();
    }

    private void closeEncoders() {
        encoders.values().forEach(BatchEncoder::close);
        encoders.clear();
    }
}
