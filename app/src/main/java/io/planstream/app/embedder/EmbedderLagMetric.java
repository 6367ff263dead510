package io.planstream.app.embedder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.planstream.embedder.streams.EmbedderService.VersionStatus;

/**
 * The embedder's lag per live model version as the gauge {@code planstream.embedder.lag} (Prometheus:
 * {@code planstream_embedder_lag}), tagged {@code version}: records of the images topic the version's
 * consumer group has not committed. The embedders' autoscaler scales on it
 * (deploy/kubernetes/base/embedder-scaledobject.yaml).
 *
 * <p>A version's series exists only while its stream runs, so a query over the metric never counts
 * a retired version's group. A lag not known yet (the cluster did not answer) is left out rather than
 * exported as -1, which a sum over versions would read as less work. The lag is the consumer group's,
 * asked of the cluster, so every replica reports the same figure for a version: aggregate replicas
 * with max, never sum.
 */
final class EmbedderLagMetric implements AutoCloseable {

    static final String NAME = "planstream.embedder.lag";
    static final String VERSION_TAG = "version";

    private static final Logger LOG = Logger.getLogger(EmbedderLagMetric.class);

    private final Supplier<List<VersionStatus>> versions;
    private final MultiGauge gauge;
    /**
     * One holder per exported version, kept while the version stays live: MultiGauge registers a row's
     * object once and reads it at every scrape, so the holder is updated in place rather than replaced.
     */
    private final Map<Integer, AtomicLong> lags = new HashMap<>();
    private ScheduledExecutorService timer;
    /** A refresh that waited for the lock while {@link #close()} ran must not bring the series back. */
    private boolean closed;

    EmbedderLagMetric(MeterRegistry registry, Supplier<List<VersionStatus>> versions) {
        this.versions = Objects.requireNonNull(versions, "versions");
        this.gauge = MultiGauge.builder(NAME)
                .description("records of the images topic a live model version's embedder has not committed yet; "
                        + "the same on every replica")
                .register(registry);
    }

    /** Refreshes the series every {@code interval} on a thread of its own until {@link #close()}. */
    synchronized EmbedderLagMetric start(Duration interval) {
        if (timer != null || closed) {
            throw new IllegalStateException("the embedder lag metric was started before");
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "planstream-embedder-lag-metric");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refreshOrLog, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Brings the series in line with the live versions and their lags now. */
    synchronized void refresh() {
        if (closed) {
            return;
        }
        Map<Integer, Long> known = new HashMap<>();
        for (VersionStatus v : versions.get()) {
            if (v.lag() >= 0) {
                known.put(v.version(), v.lag());
            }
        }
        lags.keySet().retainAll(known.keySet());
        known.forEach((version, lag) -> lags.computeIfAbsent(version, v -> new AtomicLong()).set(lag));
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        lags.forEach((version, lag) -> rows.add(MultiGauge.Row.of(Tags.of(VERSION_TAG, String.valueOf(version)), lag,
                AtomicLong::doubleValue)));
        // overwrite false: a version already registered keeps its meter (and holder); the others are removed.
        gauge.register(rows, false);
    }

    /** A failed refresh would end the schedule without a word: say so, and try again at the next tick. */
    private void refreshOrLog() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not refresh %s; the series keep their last values until the next refresh", NAME);
        }
    }

    /** Stops refreshing and removes every series: a process whose embedder has stopped reports no lag. */
    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        lags.clear();
        gauge.register(List.of(), false);
    }
}
