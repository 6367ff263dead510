package io.planstream.embedder.streams;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.djl.Device;

import io.planstream.avro.ModelVersion;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.embedder.preprocess.Preprocessor;
import io.planstream.kafka.ConsumerLag;
import io.planstream.kafka.KafkaPlatform;
import io.planstream.schemas.Topic;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.model.EncoderSpec;

/**
 * Runs one embedder stream per live model version and follows the models topic.
 *
 * <p>Before any version is published, version 0 runs: the bootstrap encoder with seeded random
 * weights, identical on every instance. When version N+1 appears, its artifact is loaded and checked
 * (a corrupt or unreadable one is refused, logged and counted, and N keeps running); a stream for N+1
 * replays the whole images topic while N keeps embedding live uploads; once N+1 has caught up, the
 * streams of older versions stop.
 */
public final class EmbedderService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedderService.class);

    /**
     * @param bootstrapEncoder the encoder of version 0
     * @param catchUpLag the lag (records) under which a new version counts as caught up
     */
    public record Options(EmbedderSettings settings, EncoderSpec bootstrapEncoder, long bootstrapSeed, Device device,
                          Path stateDir, Map<String, Object> streamsOverrides, long catchUpLag, Duration pollInterval) {
        public Options {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(bootstrapEncoder, "bootstrapEncoder");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(stateDir, "stateDir");
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
            List<TopicPartition> parts = models.partitionsFor(platform.topics().models().name(), Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            models.assign(parts);
            models.seekToBeginning(parts);
            // The newest published version at start-up, or the bootstrap encoder.
            TreeMap<Integer, ModelVersion> known = new TreeMap<>();
            Map<TopicPartition, Long> end = models.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> models.position(tp) < end.get(tp))) {
                models.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() != null) {
                        known.put(r.value().getVersion(), r.value());
                    }
                });
            }
            if (!startNewest(known)) {
                startBootstrap();
            }
            while (running) {
                models.poll(options.pollInterval()).forEach(r -> {
                    if (r.value() != null && r.value().getVersion() > newestVersion()) {
                        startVersion(r.value());
                    }
                });
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

    private boolean startNewest(TreeMap<Integer, ModelVersion> known) {
        for (ModelVersion v : known.descendingMap().values()) {
            if (startVersion(v)) {
                return true;
            }
        }
        return false;
    }

    private void startBootstrap() {
        EncoderSpec spec = options.bootstrapEncoder();
        EncoderPool pool = new EncoderPool(() -> BatchEncoder.random(spec, 0, options.bootstrapSeed(), options.device()));
        launch(0, pool, spec);
    }

    /** Loads and checks the artifact of {@code v}, then starts its stream; false where it was refused. */
    boolean startVersion(ModelVersion v) {
        Path dir;
        try {
            dir = artifactDir(v);
            String actual = ModelArtifact.sha256Hex(dir.resolve(ModelArtifact.PARAMETERS));
            if (!actual.equalsIgnoreCase(v.getArtifactSha256())) {
                throw new ArtifactException("parameters of version " + v.getVersion() + " have SHA-256 " + actual
                        + " but the published record says " + v.getArtifactSha256());
            }
            // Load once here so that a bad artifact is refused before any stream depends on it.
            BatchEncoder.load(dir, v.getVersion(), options.device()).close();
        } catch (ArtifactException | RuntimeException e) {
            refusedArtifacts.incrementAndGet();
            lastRefusal = "version " + v.getVersion() + ": " + e.getMessage();
            LOG.error("refused model version {} (the running version keeps serving): {}", v.getVersion(), e.getMessage());
            return false;
        }
        EncoderSpec spec;
        try {
            spec = ModelArtifact.readManifest(dir).encoderSpec();
        } catch (ArtifactException e) {
            refusedArtifacts.incrementAndGet();
            lastRefusal = "version " + v.getVersion() + ": " + e.getMessage();
            return false;
        }
        Path checked = dir;
        EncoderPool pool = new EncoderPool(() -> {
            try {
                return BatchEncoder.load(checked, v.getVersion(), options.device());
            } catch (ArtifactException e) {
                throw new IllegalStateException("artifact of version " + v.getVersion() + " changed after it was checked: " + e.getMessage(), e);
            }
        });
        launch(v.getVersion(), pool, spec);
        return true;
    }

    private void launch(int version, EncoderPool pool, EncoderSpec spec) {
        EmbedderStream stream = new EmbedderStream(platform, version, pool, new Preprocessor(spec.inputSize(), spec.inputChannels()),
                options.settings(), options.stateDir().resolve("v" + version), options.streamsOverrides());
        streams.put(version, stream.start());
        LOG.info("embedder v{} started ({}); {}", version, spec.name(), streams.size() > 1 ? "backfilling beside the running version" : "live");
    }

    private int newestVersion() {
        return streams.isEmpty() ? -1 : streams.lastKey();
    }

    /** Stops every version older than the newest once the newest has caught up with the images topic. */
    private void retireCaughtUp() {
        int newest = newestVersion();
        if (newest < 0) {
            return;
        }
        long lag = lag(newest);
        synchronized (lags) {
            lags.put(newest, lag);
            for (int v : streams.headMap(newest).keySet()) {
                lags.put(v, lag(v));
            }
        }
        if (lag >= 0 && lag <= options.catchUpLag()) {
            for (int old : new ArrayList<>(streams.headMap(newest).keySet())) {
                LOG.info("embedder v{} caught up (lag {}); stopping v{}", newest, lag, old);
                EmbedderStream s = streams.remove(old);
                s.close();
            }
        }
    }

    /** Records of the images topic the version's consumer group has not committed yet; -1 when unknown. */
    long lag(int version) {
        return consumerLag.groupLag(EmbedderStream.applicationId(version), platform.topics().images().name()).orElse(-1);
    }

    /** The local directory of a version's artifact (file:// URIs). */
    public static Path artifactDir(ModelVersion v) throws ArtifactException {
        String uri = v.getArtifactUri();
        try {
            URI u = URI.create(uri);
            if ("file".equals(u.getScheme())) {
                return Path.of(u);
            }
        } catch (IllegalArgumentException e) {
            throw new ArtifactException("artifact URI '" + uri + "' of version " + v.getVersion() + " is not a URI: " + e.getMessage());
        }
        throw new ArtifactException("artifact URI '" + uri + "' of version " + v.getVersion() + " has no supported scheme (file://)");
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
