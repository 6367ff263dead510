package io.planstream.app.index;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.planstream.app.config.PlanstreamConfig;
import io.planstream.app.config.ProcessRole;
import io.planstream.index.lucene.HnswParams;
import io.planstream.index.lucene.LuceneVectorization;
import io.planstream.index.rest.IndexRuntime;
import io.planstream.index.service.ImageIndexStatus;
import io.planstream.index.service.IndexService;
import io.planstream.index.service.IndexSettings;
import io.planstream.index.service.ServingSettings;
import io.planstream.ingest.catalog.IndexProgress;
import io.planstream.platform.UploadToken;
import io.planstream.platform.KafkaPlatform;
import io.quarkus.runtime.StartupEvent;

/** Starts the index when this process runs the index role, and tells the image API how far an image has come. */
@ApplicationScoped
public class IndexRole implements IndexProgress, IndexRuntime {

    private static final Logger LOG = Logger.getLogger(IndexRole.class);

    @Inject
    PlanstreamConfig planstream;

    @Inject
    IndexConfig config;

    @Inject
    KafkaPlatform platform;

    @Inject
    MeterRegistry metrics;

    private volatile IndexService service;

    void onStart(@Observes StartupEvent event) {
        if (!planstream.runs(ProcessRole.INDEX)) {
            return;
        }
        IndexSettings settings = settings(config, planstream.dataPath("index"));
        HnswParams hnsw = settings.hnsw();
        service = new IndexService(platform, settings).start();
        Gauge.builder("planstream.index.active.version", service, s -> s.activeVersion().orElse(-1))
                .description("model version answering queries; -1 before any caught up").register(metrics);
        Gauge.builder("planstream.index.images", service, s -> s.status().images())
                .description("images in the index's catalog").register(metrics);
        Gauge.builder("planstream.index.refused", service, IndexService::refused)
                .description("embedding records the index refused (dead-lettered)").register(metrics);
        LOG.infof("Index role started in %s (%s, refresh %s)", settings.dataDir(), hnsw, config.refreshInterval());
        LOG.info(LuceneVectorization.describe());
    }

    /** The index role's settings from its configuration, in {@code dataDir}. */
    static IndexSettings settings(IndexConfig config, Path dataDir) {
        HnswParams hnsw = new HnswParams(HnswParams.Type.parse(config.type()), config.m(), config.efConstruction(),
                config.mergeWorkers().orElseGet(HnswParams::defaultMergeWorkers));
        ServingSettings serving = new ServingSettings(config.replicaId().orElseGet(() -> ServingSettings.defaultReplicaId(dataDir)),
                config.endpoint().orElse(null), config.heartbeat(), config.replicaTimeout(), config.switchTransactionalId());
        return new IndexSettings(dataDir, hnsw, config.refreshInterval(), config.commitInterval(), config.catchUpLag(),
                config.retainVersions(), config.thumbnailSize(), IndexSettings.DEFAULT_SUPERVISE, serving);
    }

    @Override
    public Optional<IndexService> service() {
        return Optional.ofNullable(service);
    }

    @Override
    public int defaultNumCandidates() {
        return config.defaultNumCandidates();
    }

    @Override
    public List<VersionProgress> versions(String id) {
        IndexService s = service;
        if (s == null) {
            return List.of();
        }
        ImageIndexStatus status = s.imageStatus(id);
        return status.versions().stream().map(v -> new VersionProgress(v.version(), v.active(), v.indexed(), timeline(v.stamps())))
                .toList();
    }

    private static Timeline timeline(ImageIndexStatus.Stamps s) {
        if (s == null) {
            return null;
        }
        return new Timeline(s.uploaded() == 0 ? null : Instant.ofEpochMilli(s.uploaded()), Instant.ofEpochMilli(s.embedded()),
                Instant.ofEpochMilli(s.indexed()), Instant.ofEpochMilli(s.searchable()));
    }

    @Override
    public Optional<CompletionStage<Boolean>> awaitSearchable(String id, Duration timeout) {
        IndexService s = service;
        return s == null ? Optional.empty() : Optional.of(s.awaitSearchable(id, timeout));
    }

    @Override
    public Optional<CompletionStage<Boolean>> awaitToken(UploadToken token, Duration timeout) {
        IndexService s = service;
        return s == null ? Optional.empty() : Optional.of(s.awaitToken(token, timeout));
    }

    @PreDestroy
    void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
    }
}
