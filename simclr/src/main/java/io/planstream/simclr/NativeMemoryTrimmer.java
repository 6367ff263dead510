package io.planstream.simclr;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.jna.Library;
import com.sun.jna.Native;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the memory that glibc's allocator keeps after a free back to the operating system, now and
 * then, with {@code malloc_trim(0)}.
 *
 * <p>libtorch allocates and frees hundreds of megabytes a second (activations of every forward and
 * training step), from many threads. glibc keeps what is freed inside its arenas for the next
 * allocation and returns only the free top of each, so the resident set of a long-running process
 * climbs to the sum of each arena's peaks and stays there, though the memory is free: in a soak of
 * every role in one process, one {@code malloc_trim(0)} took the resident set from 5.8 to 3.1 GB
 * (docs/RESULTS.md). {@code MALLOC_ARENA_MAX=2} (the launcher's) bounds the number of arenas; this
 * bounds what each keeps. glibc has no setting that does the same, and the JDK offers no call into
 * libc before its foreign-function API (final in Java 22), so the call goes through JNA, which DJL
 * already brings.
 *
 * <p>Only where the C library has {@code malloc_trim} (glibc on Linux); elsewhere {@link #start}
 * returns empty and says why once.
 */
public final class NativeMemoryTrimmer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NativeMemoryTrimmer.class);

    /** The one function of the C library used here. */
    interface CLibrary extends Library {
        int malloc_trim(long pad);
    }

    private final CLibrary libc;
    private final ScheduledExecutorService timer;
    private final AtomicLong trims = new AtomicLong();
    private final AtomicLong returnedKb = new AtomicLong();
    private volatile double lastReturnedMb;

    private NativeMemoryTrimmer(CLibrary libc, ScheduledExecutorService timer) {
        this.libc = libc;
        this.timer = timer;
    }

    /** The C library's {@code malloc_trim}, or empty (with the reason logged) where there is none. */
    static Optional<CLibrary> glibc() {
        try {
            CLibrary libc = Native.load("c", CLibrary.class);
            libc.malloc_trim(0);
            return Optional.of(libc);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.info("no malloc_trim in this C library, native memory is not trimmed: {}", e.toString());
            return Optional.empty();
        }
    }

    /**
     * Trims every {@code interval} on a daemon thread of its own.
     *
     * @return the running trimmer, or empty where the C library has no {@code malloc_trim}
     */
    public static Optional<NativeMemoryTrimmer> start(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("trim interval must be positive, got " + interval);
        }
        return glibc().map(libc -> {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "planstream-native-trim");
                t.setDaemon(true);
                return t;
            });
            NativeMemoryTrimmer trimmer = new NativeMemoryTrimmer(libc, timer);
            long ms = interval.toMillis();
            timer.scheduleWithFixedDelay(trimmer::trimLogged, ms, ms, TimeUnit.MILLISECONDS);
            return trimmer;
        });
    }

    /** Trims once, now, on the calling thread. @return the resident megabytes handed back (negative if it grew meanwhile) */
    public double trim() {
        double before = ResidentMemory.megabytes();
        libc.malloc_trim(0);
        double returned = before - ResidentMemory.megabytes();
        trims.incrementAndGet();
        if (returned > 0) {
            returnedKb.addAndGet((long) (returned * 1024));
        }
        lastReturnedMb = returned;
        return returned;
    }

    private void trimLogged() {
        try {
            double returned = trim();
            LOG.debug("malloc_trim handed {} MB back", Math.round(returned));
        } catch (RuntimeException | Error e) {
            LOG.warn("malloc_trim failed: {}", e.toString());
        }
    }

    /** Trims done so far. */
    public long trims() {
        return trims.get();
    }

    /** Resident megabytes the trims handed back, in all. */
    public double returnedMb() {
        return returnedKb.get() / 1024.0;
    }

    /** What the last trim handed back, in MB. */
    public double lastReturnedMb() {
        return lastReturnedMb;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
