package io.planstream.index.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.DeadLetter;
import io.planstream.avro.Embedding;
import io.planstream.avro.ImageRecord;
import io.planstream.avro.ModelVersion;
import io.planstream.index.catalog.CatalogEntry;
import io.planstream.index.catalog.ImageCatalogIndex;
import io.planstream.platform.ConsumerLag;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Partitions;
import io.planstream.platform.RegistryOutage;
import io.planstream.platform.Topic;
import io.planstream.platform.TopicNames;
import io.planstream.schemas.DeadLetters;

/**
 * The index's three readers, each on its own thread: embeddings into the version indexes, images into the
 * catalog, and the models topic with the lags that drive the {@link VersionLifecycle}.
 *
 * <p>Each index commits the embeddings topic's next offsets with its data, so a restart resumes exactly
 * where the data ends: records before that point are skipped, records after it applied, and since an
 * image id is one document, nothing is counted twice. The embeddings thread is the only writer of the
 * version indexes: the other readers hand it their writes (a deleted image, a retired version) as tasks.
 */
final class IndexReaders {

    private static final Logger LOG = LoggerFactory.getLogger(IndexReaders.class);
    private static final Duration POLL = Duration.ofMillis(50);
    /** The least time between two refreshes, in multiples of the last refresh's cost. */
    private static final long REFRESH_COST_SHARE = 5;
    /** ... but never more than this many times the configured interval. */
    private static final long MAX_REFRESH_STRETCH = 4;
    /**
     * How often the catalog refreshes on its own. A read of an entry changed since its last refresh refreshes it
     * first ({@link ImageCatalogIndex#refresh}), so this bounds only how long changes wait in memory.
     */
    private static final Duration CATALOG_REFRESH = Duration.ofSeconds(1);
    /** Longest wait of the embeddings reader for the catalog's first catch-up (see applyEmbedding). */
    private static final Duration CATALOG_WAIT = Duration.ofSeconds(60);

    private final KafkaPlatform platform;
    private final IndexSettings settings;
    private final VersionLifecycle versions;
    private final ImageCatalogIndex catalog;
    private final Visibility visibility;
    private final TokenWaiters tokens;
    private final ConcurrentLinkedQueue<Runnable> writerTasks = new ConcurrentLinkedQueue<>();
    private final KafkaConsumer<byte[], byte[]> embeddingsConsumer;
    private final KafkaConsumer<byte[], byte[]> imagesConsumer;
    /** The models and serving topics, each of one partition, read together by the supervisor. */
    private final KafkaConsumer<byte[], byte[]> supervisorConsumer;
    private final ServingChannel serving;
    private final KafkaProducer<byte[], DeadLetter> deadLetters;
    private final Admin admin;
    private final ConsumerLag lags;
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch catalogCaughtUp = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean running = true;

    IndexReaders(KafkaPlatform platform, IndexSettings settings, VersionLifecycle versions, ImageCatalogIndex catalog,
                 Visibility visibility, TokenWaiters tokens) {
        this.tokens = tokens;
        this.platform = platform;
        this.settings = settings;
        this.versions = versions;
        this.catalog = catalog;
        this.visibility = visibility;
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.embeddingsConsumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.imagesConsumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.supervisorConsumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.serving = new ServingChannel(platform, settings.serving());
        Topic<byte[], DeadLetter> dlq = platform.topics().deadLetters();
        this.deadLetters = new KafkaProducer<>(new HashMap<>(platform.clientProperties()), new ByteArraySerializer(),
                dlq.valueSerde().serializer());
        this.admin = Admin.create(platform.clientProperties());
        this.lags = new ConsumerLag(admin);
    }

    void start() {
        threads.add(daemon("planstream-index-embeddings", this::followEmbeddings));
        threads.add(daemon("planstream-index-images", this::followImages));
        threads.add(daemon("planstream-index-versions", this::superviseVersions));
        threads.forEach(Thread::start);
    }

    /** Embedding records applied to an index since start (a resumed index skips what it holds). */
    long applied() {
        return applied.get();
    }

    /** Embedding records refused and sent to the dead-letter topic. */
    long refused() {
        return refused.get();
    }

    /** Waits until the catalog has read what the images topic held at start. */
    boolean awaitCatalog(Duration timeout) throws InterruptedException {
        return catalogCaughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- embeddings -> version indexes

    private void followEmbeddings() {
        Topic<String, Embedding> topic = platform.topics().embeddings();
        try {
            List<TopicPartition> parts = Partitions.await(embeddingsConsumer, topic.name(), () -> running);
            embeddingsConsumer.assign(parts);
            for (TopicPartition tp : parts) {
                long from = versions.versions().stream().mapToLong(h -> h.start(tp.partition())).min().orElse(0L);
                embeddingsConsumer.seek(tp, from);
            }
            long lastRefresh = 0;
            long lastCommit = System.nanoTime();
            long lastLag = 0;
            long minRefresh = settings.refreshInterval().toNanos();
            long refreshCost = 0;
            while (running) {
                Runnable task;
                while ((task = writerTasks.poll()) != null) {
                    task.run();
                }
                // Blocks in poll until records come; with records applied and not yet visible, only until the
                // next refresh is allowed, so that they become searchable as soon as the interval permits.
                // Refreshes take about a fifth of this thread at most: under load a refresh costs more (it flushes
                // more), and refreshing less often leaves the time to applying records. The cost is smoothed, so one
                // slow refresh (a merge beside it) does not hold back the next, and the interval stays bounded.
                long interval = Math.min(MAX_REFRESH_STRETCH * minRefresh, Math.max(minRefresh, REFRESH_COST_SHARE * refreshCost));
                if (!RegistryOutage.applyOrRewind(embeddingsConsumer, embeddingsConsumer.poll(pollFor(anyDirty(), lastRefresh, interval)),
                        r -> applyEmbedding(topic, r))) {
                    warnOutage("embeddings");
                    RegistryOutage.backOff();
                    continue;
                }
                long now = System.nanoTime();
                if (now - lastRefresh >= interval && anyDirty()) {
                    lastRefresh = now;
                    for (VersionHandle h : versions.versions()) {
                        if (h.dirty) {
                            h.dirty = false;
                            h.refresh();
                            visibility.refreshed(h.version, System.currentTimeMillis());
                        }
                    }
                    tokens.check();
                    refreshCost = (refreshCost * 4 + (System.nanoTime() - now)) / 5;
                }
                if (now - lastCommit >= settings.commitInterval().toNanos()) {
                    lastCommit = now;
                    commitEmbeddings(parts);
                }
                if (now - lastLag >= settings.superviseInterval().toNanos()) {
                    lastLag = now;
                    Map<TopicPartition, Long> end = embeddingsConsumer.endOffsets(parts);
                    versions.indexLag(parts.stream()
                            .mapToLong(tp -> Math.max(0, end.get(tp) - embeddingsConsumer.position(tp))).sum());
                }
            }
            commitEmbeddings(parts);
        } catch (WakeupException e) {
            if (running) {
                LOG.error("index embeddings reader woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("index embeddings reader stopped: {}", e.toString(), e);
        } finally {
            embeddingsConsumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean anyDirty() {
        for (VersionHandle h : versions.versions()) {
            if (h.dirty) {
                return true;
            }
        }
        return false;
    }

    private void applyEmbedding(Topic<String, Embedding> topic, ConsumerRecord<byte[], byte[]> r) {
        String id;
        Embedding e;
        try {
            id = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
            e = r.value() == null ? null : topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
        } catch (SerializationException ex) {
            deadLetter(r, "deserialize", ex.getMessage(), ex, null);
            return;
        }
        if (id == null) {
            deadLetter(r, "index", "embedding record has no image id", null, null);
            return;
        }
        if (e == null) {
            for (VersionHandle h : versions.versions()) {
                if (h.applies(r.partition(), r.offset())) {
                    h.delete(id);
                    h.dirty = true;
                    visibility.deleted(h.version, id);
                }
            }
            return;
        }
        int version = e.getModelVersion();
        if (versions.isRetired(version)) {
            return;
        }
        VersionHandle h = versions.get(version);
        if (h == null) {
            h = versions.open(version, e.getDimension());
        }
        if (!h.applies(r.partition(), r.offset())) {
            return;
        }
        float[] vector = toArray(e.getVector());
        if (vector.length != h.index.dimension() || e.getDimension() != vector.length) {
            deadLetter(r, "index", "embedding of '" + id + "' has " + vector.length + " values (record says " + e.getDimension()
                    + "), but model version " + version + " embeds in " + h.index.dimension(), null, version);
            return;
        }
        String format = e.getFormat();
        Map<String, String> metadata = e.getMetadata();
        if (metadata == null) {
            // Written before embeddings carried the attributes: the catalog has them, once it has read the image. A
            // rebuilt index replays such records while the catalog may still be replaying the images: it waits, once.
            Optional<CatalogEntry> entry = catalog.find(id);
            if (entry.isEmpty() && catalogCaughtUp.getCount() > 0) {
                try {
                    awaitCatalog(CATALOG_WAIT);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                entry = catalog.find(id);
            }
            format = entry.map(CatalogEntry::format).orElse(null);
            metadata = entry.map(CatalogEntry::metadata).orElse(Map.of());
        }
        try {
            h.upsert(id, vector, e.getEmbedTime().toEpochMilli(), e.getUploadTime() == null ? null : e.getUploadTime().toEpochMilli(),
                    format, metadata);
        } catch (IllegalArgumentException ex) {
            deadLetter(r, "index", "embedding of '" + id + "': " + ex.getMessage(), ex, version);
            return;
        }
        h.dirty = true;
        h.appliedSource(e.getSourcePartition(), e.getSourceOffset());
        visibility.applied(version, id, e.getUploadTime() == null ? 0 : e.getUploadTime().toEpochMilli(), e.getEmbedTime().toEpochMilli(),
                System.currentTimeMillis());
        applied.incrementAndGet();
    }

    private void commitEmbeddings(List<TopicPartition> parts) {
        Map<Integer, Long> positions = new HashMap<>();
        for (TopicPartition tp : parts) {
            positions.put(tp.partition(), embeddingsConsumer.position(tp));
        }
        for (VersionHandle h : versions.versions()) {
            h.commit(h.offsetsAt(positions));
        }
    }

    // ---------------------------------------------------------------- images -> catalog

    private void followImages() {
        Topic<String, ImageRecord> topic = platform.topics().images();
        try {
            List<TopicPartition> parts = Partitions.await(imagesConsumer, topic.name(), () -> running);
            imagesConsumer.assign(parts);
            Map<Integer, Long> from = catalog.committedOffsets();
            for (TopicPartition tp : parts) {
                imagesConsumer.seek(tp, from.getOrDefault(tp.partition(), 0L));
            }
            Map<TopicPartition, Long> end = imagesConsumer.endOffsets(parts);
            long lastRefresh = 0;
            long lastCommit = System.nanoTime();
            // Reads of a changed entry refresh the catalog themselves; the timer only bounds what waits unflushed.
            long minRefresh = Math.max(settings.refreshInterval().toNanos(), CATALOG_REFRESH.toNanos());
            while (running) {
                // As for the embeddings: wait in poll, but no longer than the next refresh that is due.
                var polled = imagesConsumer.poll(pollFor(catalog.hasUnseenChanges(), lastRefresh, minRefresh));
                if (!RegistryOutage.applyOrRewind(imagesConsumer, polled, r -> applyImage(topic, r))) {
                    warnOutage("images");
                    RegistryOutage.backOff();
                    continue;
                }
                long now = System.nanoTime();
                if (catalog.hasUnseenChanges() && now - lastRefresh >= minRefresh) {
                    lastRefresh = now;
                    catalog.refresh();
                }
                if (now - lastCommit >= settings.commitInterval().toNanos()) {
                    lastCommit = now;
                    commitCatalog(parts);
                }
                if (catalogCaughtUp.getCount() > 0 && parts.stream().allMatch(tp -> imagesConsumer.position(tp) >= end.get(tp))) {
                    catalog.refresh();
                    catalogCaughtUp.countDown();
                    LOG.info("image catalog caught up: {} images", catalog.size());
                }
            }
            commitCatalog(parts);
        } catch (WakeupException e) {
            if (running) {
                LOG.error("index images reader woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("index images reader stopped: {}", e.toString(), e);
        } finally {
            imagesConsumer.close(Duration.ofSeconds(5));
        }
    }

    private void applyImage(Topic<String, ImageRecord> topic, ConsumerRecord<byte[], byte[]> r) {
        String id;
        ImageRecord image;
        try {
            id = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
            image = r.value() == null ? null : topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
        } catch (SerializationException e) {
            // The embedder dead-letters undecodable images; the catalog only skips them.
            LOG.warn("image catalog skipped {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        if (id == null) {
            return;
        }
        if (image == null) {
            catalog.delete(id);
            // A deleted image leaves every version's index too; the embedder's forwarded tombstone does the
            // same through the embeddings topic, this makes it immediate.
            writerTasks.add(() -> versions.versions().forEach(h -> {
                h.delete(id);
                h.dirty = true;
                visibility.deleted(h.version, id);
            }));
            return;
        }
        catalog.put(image);
    }

    private void commitCatalog(List<TopicPartition> parts) {
        Map<Integer, Long> positions = new HashMap<>();
        for (TopicPartition tp : parts) {
            positions.put(tp.partition(), imagesConsumer.position(tp));
        }
        catalog.commit(positions);
    }

    // ---------------------------------------------------------------- models and lags -> lifecycle

    private void superviseVersions() {
        Topic<String, ModelVersion> modelsTopic = platform.topics().models();
        String servingTopic = platform.topics().serving().name();
        try {
            List<TopicPartition> parts = new ArrayList<>(Partitions.await(supervisorConsumer, modelsTopic.name(), () -> running));
            parts.addAll(Partitions.await(supervisorConsumer, servingTopic, () -> running));
            supervisorConsumer.assign(parts);
            supervisorConsumer.seekToBeginning(parts);
            versions.restoreActive();
            visibility.signal();
            while (running) {
                // Returns as soon as a record comes: a switch is followed within a poll of being written.
                ConsumerRecords<byte[], byte[]> polled = supervisorConsumer.poll(settings.superviseInterval());
                long now = System.currentTimeMillis();
                if (!RegistryOutage.applyOrRewind(supervisorConsumer, polled, r -> applySupervised(modelsTopic, servingTopic, r, now))) {
                    // The consumer stays at the record it could not decode: the next poll tries it again.
                    warnOutage("models and serving");
                    RegistryOutage.backOff();
                    continue;
                }
                for (VersionHandle h : versions.versions()) {
                    OptionalLong lag = lags.groupLag(TopicNames.embedderApplicationId(h.version), platform.topics().images().name());
                    h.embedderLag = lag.orElse(-1);
                }
                VersionHandle before = versions.active();
                versions.follow(serving.currentSwitch());
                VersionHandle after = versions.active();
                if (after != before) {
                    // A switch may make a waiting image searchable (the new version has it, the old one did not yet).
                    visibility.signal();
                    tokens.check();
                }
                // Reported after following the switch, so the report says what this replica answers with now.
                OptionalInt target = versions.target();
                serving.tick(after == null ? null : after.version, versions.readyVersions(), target, versions.pinned(target),
                        System.currentTimeMillis());
                for (int v : versions.toRetire()) {
                    writerTasks.add(() -> {
                        versions.retire(v);
                        visibility.retired(v);
                    });
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("index version supervisor woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("index version supervisor stopped: {}", e.toString(), e);
        } finally {
            supervisorConsumer.close(Duration.ofSeconds(5));
        }
    }

    private void applySupervised(Topic<String, ModelVersion> modelsTopic, String servingTopic, ConsumerRecord<byte[], byte[]> r, long now) {
        try {
            if (r.topic().equals(servingTopic)) {
                serving.apply(r, now);
            } else if (r.value() != null) {
                versions.putModel(modelsTopic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value()));
            }
        } catch (SerializationException e) {
            if (RegistryOutage.isOutage(e)) {
                throw e;
            }
            LOG.warn("index supervisor skipped {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /** This replica's view of the cluster's serving version. */
    ServingChannel serving() {
        return serving;
    }

    // ---------------------------------------------------------------- helpers

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String stage, String reason, Exception cause, Integer version) {
        refused.incrementAndGet();
        LOG.warn("index refused {}-{}@{} at {}: {}", r.topic(), r.partition(), r.offset(), stage, reason);
        DeadLetter letter = DeadLetters.of(r.topic(), r.partition(), r.offset(), r.key(), r.value(), stage, reason, cause, version);
        deadLetters.send(new ProducerRecord<>(platform.topics().deadLetters().name(), r.key(), letter), (md, ex) -> {
            if (ex != null) {
                LOG.error("dead letter for {}-{}@{} not written: {}", r.topic(), r.partition(), r.offset(), ex.toString());
            }
        });
    }

    private void warnOutage(String reader) {
        LOG.warn("index {} reader: the schema registry does not answer; trying again in {} ms", reader, RegistryOutage.BACKOFF.toMillis());
    }

    /** How long a reader may wait in poll: {@link #POLL}, or with unrefreshed writes, until their refresh is due. */
    static Duration pollFor(boolean dirty, long lastRefreshNanos, long minRefreshNanos) {
        if (!dirty) {
            return POLL;
        }
        long due = minRefreshNanos - (System.nanoTime() - lastRefreshNanos);
        return Duration.ofNanos(Math.max(0, Math.min(POLL.toNanos(), due)));
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops the readers; each commits what it holds and closes its consumer on its way out. */
    void stop() throws InterruptedException {
        // No wakeup(): the readers poll in short slices and commit what they hold on their way out.
        running = false;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(15));
        }
    }

    /** Closes the dead-letter producer and the admin client; after {@link #stop()}. */
    void closeClients() {
        serving.close();
        deadLetters.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }
}
