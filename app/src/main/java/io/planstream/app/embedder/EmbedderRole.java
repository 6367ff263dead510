package io.planstream.app.embedder;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.djl.Device;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.planstream.app.config.PlanstreamConfig;
import io.planstream.app.config.ProcessRole;
import io.planstream.embedder.model.ForwardStats;
import io.planstream.embedder.model.ForwardWorkers;
import io.planstream.embedder.rest.EmbedderRuntime;
import io.planstream.embedder.streams.EmbedderService;
import io.planstream.embedder.streams.EmbedderSettings;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.Devices;
import io.planstream.simclr.model.EncoderSpec;
import io.quarkus.runtime.StartupEvent;

/** Starts the embedder streams when this process runs the embedder role. */
@ApplicationScoped
public class EmbedderRole implements EmbedderRuntime {

    private static final Logger LOG = Logger.getLogger(EmbedderRole.class);

    /**
     * How often the service polls the models topic and measures every live version's lag, and how often the
     * lag gauge follows it: well inside a Prometheus scrape interval, and a few cheap admin requests a second.
     */
    private static final Duration LAG_POLL = Duration.ofMillis(500);

    @Inject
    PlanstreamConfig planstream;

    @Inject
    EmbedderConfig config;

    @Inject
    KafkaPlatform platform;

    @Inject
    MeterRegistry metrics;

    private volatile EmbedderService service;
    private volatile ForwardWorkers workers;
    private volatile EmbedderLagMetric lagMetric;

    void onStart(@Observes StartupEvent event) {
        if (!planstream.runs(ProcessRole.EMBEDDER)) {
            return;
        }
        EncoderSpec bootstrap = EncoderSpec.of(config.bootstrapEncoder(), 3, config.bootstrapSize());
        Map<String, Object> overrides = streamsOverrides(config.threads(), config.commitInterval(), config.sessionTimeout());
        Device device = Devices.choose(config.device());
        workers = ForwardWorkers.configured(config.forwardWorkers(), config.forwardThreads(), device,
                Runtime.getRuntime().availableProcessors());
        service = new EmbedderService(platform, new EmbedderService.Options(
                new EmbedderSettings(config.batchSize(), config.maxWait(), config.symmetries(), config.commitWhenDrained()),
                bootstrap, config.bootstrapSeed(), device, workers, planstream.dataPath("embedder"),
                overrides, config.catchUpLag(), LAG_POLL,
                planstream.dataPath("artifacts"))).start();
        Gauge.builder("planstream.embedder.refused.artifacts", service, EmbedderService::refusedArtifacts)
                .description("model versions whose artifact was refused").register(metrics);
        Gauge.builder("planstream.embedder.live.versions", service, s -> s.status().size())
                .description("model versions with a running embedder stream").register(metrics);
        lagMetric = new EmbedderLagMetric(metrics, service::status).start(LAG_POLL);
        // Images over passes is the mean batch, CPU over images what an image costs: both move with the upload rate.
        ForwardStats forward = ForwardStats.process();
        FunctionCounter.builder("planstream.embedder.forward.passes", forward, ForwardStats::passes)
                .description("forward passes of the embedder streams' encoders").register(metrics);
        FunctionCounter.builder("planstream.embedder.forward.images", forward, ForwardStats::images)
                .description("images embedded by those forward passes").register(metrics);
        FunctionCounter.builder("planstream.embedder.forward.cpu", forward, ForwardStats::cpuSeconds).baseUnit("seconds")
                .description("CPU time of the threads that ran those forward passes").register(metrics);
        LOG.infof("Embedder role started on %s, %s per stream thread (bootstrap encoder %s at %d px)", device, workers,
                bootstrap.name(), bootstrap.inputSize());
    }

    /**
     * The Kafka Streams settings the configuration decides. A session timeout comes with heartbeats at a
     * third of it, as Kafka advises, so that a live instance is never taken for a dead one.
     */
    static Map<String, Object> streamsOverrides(int threads, Duration commitInterval, Optional<Duration> sessionTimeout) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("num.stream.threads", threads);
        overrides.put("commit.interval.ms", commitInterval.toMillis());
        sessionTimeout.ifPresent(t -> {
            if (t.toMillis() < 1 || t.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("planstream.embedder.session-timeout must be between 1 ms and "
                        + Integer.MAX_VALUE + " ms, got " + t);
            }
            overrides.put("consumer.session.timeout.ms", (int) t.toMillis());
            overrides.put("consumer.heartbeat.interval.ms", (int) Math.max(1, t.toMillis() / 3));
        });
        return overrides;
    }

    @Override
    public List<EmbedderService.VersionStatus> status() {
        EmbedderService s = service;
        return s == null ? List.of() : s.status();
    }

    @Override
    public long refusedArtifacts() {
        EmbedderService s = service;
        return s == null ? 0 : s.refusedArtifacts();
    }

    @Override
    public String lastRefusal() {
        EmbedderService s = service;
        return s == null ? null : s.lastRefusal();
    }

    @Override
    public boolean running() {
        return service != null;
    }

    @Override
    public ForwardWorkers forwardWorkers() {
        return workers;
    }

    @PreDestroy
    void stop() throws InterruptedException {
        if (lagMetric != null) {
            lagMetric.close();
        }
        if (service != null) {
            service.close();
        }
    }
}
