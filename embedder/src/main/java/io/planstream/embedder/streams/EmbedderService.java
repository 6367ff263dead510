package io.planstream.embedder.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.djl.Device;

import io.planstream.avro.ModelVersion;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.embedder.model.ForwardWorkers;
import io.planstream.models.ArtifactResolver;
import io.planstream.models.ModelTarget;
import io.planstream.platform.ConsumerLag;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Partitions;
import io.planstream.platform.Topic;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.data.Preprocessor;
import io.planstream.simclr.model.EncoderSpec;

/**
 * Runs one embedder stream per live model version and follows the models topic.
 *
 * <p>Before any version is published, version 0 runs: the bootstrap encoder with seeded random
 * weights, identical on every instance. The streams converge on the target version of the models
 * topic ({@link ModelTarget}: the newest published one, or the one an operator pinned). When the
 * target changes, its artifact is fetched and checked (a corrupt or unreadable one is refused, logged
 * and counted, and the running version keeps running); a stream for the target replays the images
 * topic from its consumer group's position (all of it for a new version) while the running one keeps
 * embedding live uploads; once the target has caught up, the other streams stop.
 */
public final class EmbedderService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedderService.class);

    /**
     * @param bootstrapEncoder the encoder of version 0
     * @param forwardWorkers how each stream thread runs its forward passes
     * @param catchUpLag the lag (records) under which a new version counts as caught up
     * @param artifactCache where artifacts fetched from the artifacts topic are kept
     */
    public record Options(EmbedderSettings settings, EncoderSpec bootstrapEncoder, long bootstrapSeed, Device device,
                          ForwardWorkers forwardWorkers, Path stateDir, Map<String, Object> streamsOverrides, long catchUpLag, Duration pollInterval,
                          Path artifactCache) {
        public Options {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(bootstrapEncoder, "bootstrapEncoder");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(forwardWorkers, "forwardWorkers");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(artifactCache, "artifactCache");
            streamsOverrides = Map.copyOf(streamsOverrides);
        }
    }

    /** What one live version is doing. */
    public record VersionStatus(int version, String state, long lag, boolean caughtUp) {
    }

    private final KafkaPlatform platform;
    private final Options options;
    private final ConcurrentSkipListMap<Integer, EmbedderStream> streams = new ConcurrentSkipListMap<>();
    private final Map<Integer, Long> lags = new HashMap<>();
    private final AtomicLong refusedArtifacts = new AtomicLong();
    private final KafkaConsumer<String, ModelVersion> models;
    private final Admin admin;
    private final ConsumerLag consumerLag;
    private final Thread follower;
    private volatile boolean running = true;
    private volatile String lastRefusal;
    private final TreeMap<Integer, ModelVersion> known = new TreeMap<>();
    private final ArtifactResolver artifacts;
    /** The version the streams converge on; 0 for the bootstrap encoder. */
    private volatile int wanted;

    public EmbedderService(KafkaPlatform platform, Options options) {
        this.platform = platform;
        this.options = options;
        Topic<String, ModelVersion> topic = platform.topics().models();
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.models = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        this.admin = Admin.create(platform.clientProperties());
        this.consumerLag = new ConsumerLag(admin);
        this.artifacts = new ArtifactResolver(platform, options.artifactCache());
        this.follower = new Thread(this::follow, "planstream-embedder-models");
        follower.setDaemon(true);
    }

    public EmbedderService start() {
        follower.start();
        return this;
    }

    public List<VersionStatus> status() {
        List<VersionStatus> out = new ArrayList<>();
        synchronized (lags) {
            streams.forEach((v, s) -> {
                long lag = lags.getOrDefault(v, -1L);
                out.add(new VersionStatus(v, s.state().name(), lag, lag >= 0 && lag <= options.catchUpLag()));
            });
        }
        return out;
    }

    /** Model versions whose artifact was refused (corrupt, unreadable, or not matching its record). */
    public long refusedArtifacts() {
        return refusedArtifacts.get();
    }

    public String lastRefusal() {
        return lastRefusal;
    }

    private void follow() {
        try {
            List<TopicPartition> parts = Partitions.await(models, platform.topics().models().name(), () -> running);
            models.assign(parts);
            models.seekToBeginning(parts);
            // Every version known at start-up, then the target among them, or the bootstrap encoder.
            Map<TopicPartition, Long> end = models.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> models.position(tp) < end.get(tp))) {
                models.poll(Duration.ofMillis(200)).forEach(this::remember);
            }
            if (!startTarget()) {
                startBootstrap();
            }
            while (running) {
                ConsumerRecords<String, ModelVersion> records = models.poll(options.pollInterval());
                records.forEach(this::remember);
                if (!records.isEmpty()) {
                    followTarget();
                }
                retireCaughtUp();
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("embedder model follower woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("embedder model follower stopped: {}", e.toString(), e);
        } finally {
            models.close(Duration.ofSeconds(5));
        }
    }

    private void remember(ConsumerRecord<String, ModelVersion> r) {
        if (r.value() != null) {
            known.put(r.value().getVersion(), r.value());
        }
    }

    /**
     * At start-up: the target version (see {@link ModelTarget}), or where its artifact is refused the
     * newest other version that loads.
     */
    private boolean startTarget() {
        OptionalInt target = ModelTarget.select(known);
        if (target.isEmpty()) {
            return false;
        }
        if (startVersion(known.get(target.getAsInt()))) {
            wanted = target.getAsInt();
            return true;
        }
        for (ModelVersion v : known.descendingMap().values()) {
            if (v.getVersion() != target.getAsInt() && ModelTarget.runnable(v) && startVersion(v)) {
                wanted = v.getVersion();
                return true;
            }
        }
        return false;
    }

    /**
     * A new target (a newer version, or an operator's pin of an older one) gets a stream of its own,
     * which resumes its consumer group where it stopped or replays the whole images topic; the running
     * streams go on until it has caught up. A refused artifact is tried once per record.
     */
    private void followTarget() {
        OptionalInt target = ModelTarget.select(known);
        if (target.isEmpty() || target.getAsInt() == wanted) {
            return;
        }
        int t = target.getAsInt();
        if (streams.containsKey(t) || startVersion(known.get(t))) {
            LOG.info("embedder now follows model version {} (was {})", t, wanted);
            wanted = t;
        }
    }

    private void startBootstrap() {
        EncoderSpec spec = options.bootstrapEncoder();
        EncoderPool pool = new EncoderPool(() -> BatchEncoder.random(spec, 0, options.bootstrapSeed(), options.device()),
                options.forwardWorkers());
        launch(0, pool, new Preprocessor(spec.inputSize(), spec.inputChannels()), spec.name());
    }

    /** Loads and checks the artifact of {@code v}, then starts its stream; false where it was refused. */
    boolean startVersion(ModelVersion v) {
        Path dir;
        try {
            dir = artifacts.resolve(v);
            // Load once here so that a bad artifact is refused before any stream depends on it.
            BatchEncoder.load(dir, v.getVersion(), options.device()).close();
        } catch (ArtifactException | RuntimeException e) {
            refusedArtifacts.incrementAndGet();
            lastRefusal = "version " + v.getVersion() + ": " + e.getMessage();
            LOG.error("refused model version {} (the running version keeps serving): {}", v.getVersion(), e.getMessage());
            return false;
        }
        ModelManifest manifest;
        Preprocessor preprocessor;
        try {
            manifest = ModelArtifact.readManifest(dir);
            preprocessor = new Preprocessor(manifest.inputSize(), manifest.inputChannels());
        } catch (ArtifactException | IllegalArgumentException e) {
            refusedArtifacts.incrementAndGet();
            lastRefusal = "version " + v.getVersion() + ": " + e.getMessage();
            LOG.error("refused model version {} (the running version keeps serving): {}", v.getVersion(), e.getMessage());
            return false;
        }
        Path checked = dir;
        EncoderPool pool = new EncoderPool(() -> {
            try {
                return BatchEncoder.load(checked, v.getVersion(), options.device());
            } catch (ArtifactException e) {
                throw new IllegalStateException("artifact of version " + v.getVersion() + " changed after it was checked: " + e.getMessage(), e);
            }
        }, options.forwardWorkers());
        launch(v.getVersion(), pool, preprocessor, manifest.architecture());
        return true;
    }

    private void launch(int version, EncoderPool pool, Preprocessor preprocessor, String architecture) {
        EmbedderStream stream = new EmbedderStream(platform, version, pool, preprocessor,
                options.settings(), options.stateDir().resolve("v" + version), options.streamsOverrides());
        streams.put(version, stream.start());
        LOG.info("embedder v{} started ({}); {}", version, architecture, streams.size() > 1 ? "backfilling beside the running version" : "live");
    }

    /** Stops every version but the wanted one once the wanted one has caught up with the images topic. */
    private void retireCaughtUp() {
        int target = wanted;
        if (!streams.containsKey(target)) {
            return;
        }
        long lag = lag(target);
        synchronized (lags) {
            for (int v : streams.keySet()) {
                lags.put(v, v == target ? lag : lag(v));
            }
        }
        if (lag >= 0 && lag <= options.catchUpLag()) {
            for (int old : new ArrayList<>(streams.keySet())) {
                if (old != target) {
                    LOG.info("embedder v{} caught up (lag {}); stopping v{}", target, lag, old);
                    EmbedderStream s = streams.remove(old);
                    s.close();
                    synchronized (lags) {
                        lags.remove(old);
                    }
                }
            }
        }
    }

    /** Records of the images topic the version's consumer group has not committed yet; -1 when unknown. */
    long lag(int version) {
        return consumerLag.groupLag(EmbedderStream.applicationId(version), platform.topics().images().name()).orElse(-1);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        models.wakeup();
        follower.join(TimeUnit.SECONDS.toMillis(10));
        streams.values().forEach(EmbedderStream::close);
        streams.clear();
        admin.close(Duration.ofSeconds(5));
    }
}
