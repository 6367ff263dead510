package io.planstream.app.embedder;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.planstream.embedder.streams.EmbedderService.VersionStatus;

/** The lag gauge follows the live versions: one series per version with a known lag, none for a retired one. */
class EmbedderLagMetricTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<List<VersionStatus>> versions = new AtomicReference<>(List.of());

    @Test
    void shouldExportTheLagOfEveryLiveVersionTaggedWithItsVersion() {
        try (EmbedderLagMetric metric = new EmbedderLagMetric(registry, versions::get)) {
            versions.set(List.of(running(1, 12), running(2, 48_000)));
            metric.refresh();
            assertThat(series()).isEqualTo(Map.of("1", 12.0, "2", 48_000.0));

            versions.set(List.of(running(1, 3), running(2, 45_500)));
            metric.refresh();
            assertThat(series()).isEqualTo(Map.of("1", 3.0, "2", 45_500.0));
        }
    }

    @Test
    void shouldRemoveTheSeriesOfARetiredVersion() {
        try (EmbedderLagMetric metric = new EmbedderLagMetric(registry, versions::get)) {
            versions.set(List.of(running(1, 12), running(2, 20)));
            metric.refresh();
            // Version 2 caught up and the service stopped version 1's stream.
            versions.set(List.of(running(2, 0)));
            metric.refresh();
            assertThat(series()).isEqualTo(Map.of("2", 0.0));
            assertThat(registry.find(EmbedderLagMetric.NAME).tag(EmbedderLagMetric.VERSION_TAG, "1").gauge()).isNull();
        }
    }

    @Test
    void shouldLeaveOutALagNotKnownYet() {
        try (EmbedderLagMetric metric = new EmbedderLagMetric(registry, versions::get)) {
            versions.set(List.of(running(1, 7), running(2, -1)));
            metric.refresh();
            assertThat(series()).isEqualTo(Map.of("1", 7.0));

            versions.set(List.of(running(1, 7), running(2, 9_000)));
            metric.refresh();
            assertThat(series()).containsEntry("2", 9_000.0);

            // Known, then unknown again (the cluster did not answer): the last figure is not kept as if current.
            versions.set(List.of(running(1, 7), running(2, -1)));
            metric.refresh();
            assertThat(series()).isEqualTo(Map.of("1", 7.0));
        }
    }

    @Test
    void shouldFollowTheVersionsOnItsOwnOnceStarted() throws InterruptedException {
        versions.set(List.of(running(4, 250)));
        try (EmbedderLagMetric metric = new EmbedderLagMetric(registry, versions::get).start(Duration.ofMillis(10))) {
            awaitSeries(Map.of("4", 250.0));
            versions.set(List.of(running(5, 1_000)));
            awaitSeries(Map.of("5", 1_000.0));
        }
    }

    @Test
    void shouldRemoveEverySeriesWhenClosed() {
        EmbedderLagMetric metric = new EmbedderLagMetric(registry, versions::get);
        versions.set(List.of(running(1, 5), running(2, 6)));
        metric.refresh();
        metric.close();
        assertThat(series()).isEmpty();
        metric.refresh();
        assertThat(series()).as("a refresh after close").isEmpty();
    }

    private static VersionStatus running(int version, long lag) {
        return new VersionStatus(version, "RUNNING", lag, lag >= 0 && lag <= 20);
    }

    /** version tag -> value of every series of the gauge. */
    private Map<String, Double> series() {
        Map<String, Double> out = new TreeMap<>();
        for (Gauge g : registry.find(EmbedderLagMetric.NAME).gauges()) {
            out.put(g.getId().getTag(EmbedderLagMetric.VERSION_TAG), g.value());
        }
        return out;
    }

    private void awaitSeries(Map<String, Double> expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!series().equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(series()).isEqualTo(expected);
    }
}
