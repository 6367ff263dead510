package io.planstream.index.service;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import io.planstream.index.lucene.VectorIndex;
import io.planstream.models.ModelTarget;
import io.planstream.platform.ConsumerLag;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Partitions;
import io.planstream.platform.Topic;
import io.planstream.platform.TopicNames;
import io.planstream.schemas.DeadLetters;

/**
 * The index role: one Lucene HNSW index per model version fed from the embeddings topic, an image
 * catalog (metadata and thumbnails) fed from the images topic, and the choice of the version that
 * answers queries.
 *
 * <p>Each index commits the embeddings topic's next offsets with its data, so a restart resumes exactly
 * where the data ends: records before that point are skipped, records after it applied, and since an
 * image id is one document, nothing is counted twice. The active version is the newest whose embedder
 * and index have both caught up (lag under {@link IndexSettings#catchUpLag()}) and that holds at least as
 * many images as the version it replaces; the switch is one reference swap, and a query holds one
 * version's index from start to end, so it never mixes versions.
 */
public final class IndexService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IndexService.class);
    private static final String STATE_FILE = "versions.properties";
    private static final String CATALOG_DIR = "catalog";
    private static final Duration POLL = Duration.ofMillis(50);
    /** Longest wait of the embeddings reader for the catalog's first catch-up (see applyEmbedding). */
    private static final Duration CATALOG_WAIT = Duration.ofSeconds(60);

    private final KafkaPlatform platform;
    private final IndexSettings settings;
    private final ConcurrentSkipListMap<Integer, VersionHandle> versions = new ConcurrentSkipListMap<>();
    private final Set<Integer> retired = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Integer> dimensions = new ConcurrentHashMap<>();
    private final Map<Integer, ModelVersion> models = new ConcurrentHashMap<>();
    private final AtomicReference<VersionHandle> active = new AtomicReference<>();
    private final ConcurrentLinkedQueue<Runnable> writerTasks = new ConcurrentLinkedQueue<>();
    private final ImageCatalogIndex catalog;
    private final KafkaConsumer<byte[], byte[]> embeddingsConsumer;
    private final KafkaConsumer<byte[], byte[]> imagesConsumer;
    private final KafkaConsumer<String, ModelVersion> modelsConsumer;
    private final KafkaProducer<byte[], DeadLetter> deadLetters;
    private final Admin admin;
    private final ConsumerLag lags;
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch catalogCaughtUp = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile long indexLag = -1;
    private volatile boolean running = true;

    public IndexService(KafkaPlatform platform, IndexSettings settings) {
        this.platform = platform;
        this.settings = settings;
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the index directory " + settings.dataDir(), e);
        }
        loadState();
        this.catalog = ImageCatalogIndex.open(settings.dataDir().resolve(CATALOG_DIR), settings.thumbnailSize());
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.embeddingsConsumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.imagesConsumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Topic<String, ModelVersion> modelsTopic = platform.topics().models();
        this.modelsConsumer = new KafkaConsumer<>(p, modelsTopic.keySerde().deserializer(), modelsTopic.valueSerde().deserializer());
        Topic<byte[], DeadLetter> dlq = platform.topics().deadLetters();
        this.deadLetters = new KafkaProducer<>(new HashMap<>(platform.clientProperties()), new ByteArraySerializer(),
                dlq.valueSerde().serializer());
        this.admin = Admin.create(platform.clientProperties());
        this.lags = new ConsumerLag(admin);
    }

    public IndexService start() {
        threads.add(daemon("planstream-index-embeddings", this::followEmbeddings));
        threads.add(daemon("planstream-index-images", this::followImages));
        threads.add(daemon("planstream-index-versions", this::supervise));
        threads.forEach(Thread::start);
        return this;
    }

    // ---------------------------------------------------------------- queries

    /** The neighbours of an indexed image in the active version, the image itself excluded. */
    public SearchResult similar(String id, int k, int numCandidates) {
        return similar(id, SearchOptions.of(k, numCandidates));
    }

    /** The neighbours of an indexed image, the image itself excluded, as {@code options} ask. */
    public SearchResult similar(String id, SearchOptions options) {
        long t0 = System.nanoTime();
        VersionHandle h = acquire(options.version());
        try {
            float[] vector = h.vector(id).orElseThrow(() -> unknown(id, h.version));
            return answer(h, h.search(vector, options.request(id)), options, t0);
        } finally {
            h.release();
        }
    }

    /** The neighbours of a vector (normalised here, the caller's array untouched) in the active version. */
    public SearchResult search(float[] vector, int k, int numCandidates) {
        return search(vector, SearchOptions.of(k, numCandidates));
    }

    /**
     * The neighbours of a vector (normalised here, the caller's array untouched), as {@code options} ask.
     *
     * @throws VersionNotServedException where options name a version this index does not answer with
     * @throws IllegalArgumentException for a vector of another dimension than the answering version's
     */
    public SearchResult search(float[] vector, SearchOptions options) {
        long t0 = System.nanoTime();
        VersionHandle h = acquire(options.version());
        try {
            if (vector.length != h.index.dimension()) {
                throw new IllegalArgumentException("vector has " + vector.length + " dimensions, but model version "
                        + h.version + " embeds in " + h.index.dimension());
            }
            return answer(h, h.search(vector, options.request(null)), options, t0);
        } finally {
            h.release();
        }
    }

    /** An image's stored embedding in one version (null: the active one), as the index holds it (unit length). */
    public record StoredVector(String id, int modelVersion, float[] vector) {
    }

    /**
     * The embedding of an image.
     *
     * @throws VersionNotServedException where {@code version} is not answered with here
     * @throws UnknownImageException for an image the version does not hold
     */
    public StoredVector vector(String id, Integer version) {
        VersionHandle h = acquire(version);
        try {
            return new StoredVector(id, h.version, h.vector(id).orElseThrow(() -> unknown(id, h.version)));
        } finally {
            h.release();
        }
    }

    /** One listed image: what the catalog knows, and whether the active version (if any) finds it. */
    public record ListedImage(CatalogEntry entry, boolean indexed) {
    }

    /** A page of the listing and the cursor of the next ({@code null} after the last), with the version asked. */
    public record ImagePage(Integer activeVersion, List<ListedImage> images, String nextCursor) {
    }

    /**
     * The stored images in upload order, those matching every filter, {@code limit} at most after
     * {@code cursor} ({@link ImageCatalogIndex#list}).
     */
    public ImagePage list(List<io.planstream.index.filter.Filter> filters, int limit, String cursor) {
        ImageCatalogIndex.Page page = catalog.list(filters, limit, cursor);
        VersionHandle h = active.get();
        boolean held = h != null && h.acquire();
        try {
            List<ListedImage> images = new ArrayList<>(page.entries().size());
            for (CatalogEntry e : page.entries()) {
                images.add(new ListedImage(e, held && h.contains(e.id())));
            }
            return new ImagePage(held ? h.version : null, images, page.nextCursor());
        } finally {
            if (held) {
                h.release();
            }
        }
    }

    /** A sample of the active version's images with their vectors; {@code total} is how many it holds. */
    public record VectorSample(int modelVersion, int total, List<VectorIndex.Stored> vectors) {
        public VectorSample {
            vectors = List.copyOf(vectors);
        }
    }

    /** A uniform sample of at most {@code max} of the active version's vectors (seeded: the same index gives the same sample). */
    public VectorSample sample(int max, long seed) {
        VersionHandle h = acquireActive();
        try {
            return new VectorSample(h.version, h.numDocs(), h.sample(max, seed));
        } finally {
            h.release();
        }
    }

    /** The version answering queries; empty before any version caught up. */
    public Optional<Integer> activeVersion() {
        VersionHandle h = active.get();
        return h == null ? Optional.empty() : Optional.of(h.version);
    }

    /** The model record of a version, where the models topic has one (version 0, the bootstrap encoder, has none). */
    public Optional<ModelVersion> model(int version) {
        return Optional.ofNullable(models.get(version));
    }

    /** Every model record the models topic holds, by version. */
    public Map<Integer, ModelVersion> models() {
        return Map.copyOf(models);
    }

    /** Versions retired here (their indexes deleted). */
    public Set<Integer> retiredVersions() {
        return Set.copyOf(retired);
    }

    public Optional<CatalogEntry> catalogEntry(String id) {
        return catalog.find(id);
    }

    public Optional<byte[]> thumbnail(String id) {
        return catalog.thumbnail(id);
    }

    public ImageIndexStatus imageStatus(String id) {
        VersionHandle current = active.get();
        List<ImageIndexStatus.PerVersion> per = new ArrayList<>();
        for (VersionHandle h : versions.descendingMap().values()) {
            if (h.acquire()) {
                try {
                    per.add(new ImageIndexStatus.PerVersion(h.version, h == current, h.contains(id)));
                } finally {
                    h.release();
                }
            }
        }
        return new ImageIndexStatus(id, catalog.find(id).isPresent(), per);
    }

    public IndexStatus status() {
        VersionHandle current = active.get();
        List<VersionStatus> out = new ArrayList<>();
        for (VersionHandle h : versions.descendingMap().values()) {
            if (!h.acquire()) {
                continue;
            }
            try {
                String state = h == current ? "active" : h.everActive || (current != null && h.version < current.version) ? "standby" : "building";
                ModelVersion m = models.get(h.version);
                out.add(new VersionStatus(h.version, state, h.numDocs(), h.index.dimension(), h.embedderLag, indexLag,
                        caughtUp(h, current), h.index.rebuilt(), m == null ? null : m.getArchitecture(),
                        m == null ? Map.of() : m.getMetrics()));
            } finally {
                h.release();
            }
        }
        return new IndexStatus(current == null ? null : current.version, catalog.size(), out);
    }

    /** Embedding records applied to an index since this service started (a resumed index skips what it holds). */
    public long appliedSinceStart() {
        return applied.get();
    }

    /** Embedding records refused (undecodable, wrong dimension, non-finite values) and sent to the dead-letter topic. */
    public long refused() {
        return refused.get();
    }

    /** Waits until the catalog has read what the images topic held at start. */
    public boolean awaitCatalog(Duration timeout) throws InterruptedException {
        return catalogCaughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The index of {@code version} held for a query, or of the active version where it is null. A
     * version is answered with where it is active or was once (on standby, for a roll-back): a
     * building version's index is incomplete.
     */
    private VersionHandle acquire(Integer version) {
        if (version == null) {
            return acquireActive();
        }
        VersionHandle current = active.get();
        VersionHandle h = versions.get(version);
        if (h == null || !served(h, current) || !h.acquire()) {
            throw new VersionNotServedException("model version " + version + " is not served here; "
                    + (current == null ? "no version is active yet" : "the active version is " + current.version)
                    + ", and these answer queries: " + servedVersions());
        }
        return h;
    }

    private List<Integer> servedVersions() {
        VersionHandle current = active.get();
        return versions.values().stream().filter(h -> served(h, current)).map(h -> h.version).toList();
    }

    private static boolean served(VersionHandle h, VersionHandle current) {
        return h == current || h.everActive;
    }

    private VersionHandle acquireActive() {
        while (true) {
            VersionHandle h = active.get();
            if (h == null) {
                throw new NoActiveVersionException("no model version's index has caught up yet"
                        + (versions.isEmpty() ? " (no embeddings received)" : " (building: " + versions.keySet() + ")") + "; retry shortly");
            }
            if (h.acquire()) {
                return h;
            }
        }
    }

    private UnknownImageException unknown(String id, int version) {
        if (catalog.find(id).isPresent()) {
            return new UnknownImageException("image '" + id + "' is accepted but not yet searchable in model version " + version, true);
        }
        return new UnknownImageException("no image with id '" + id + "'", false);
    }

    private SearchResult answer(VersionHandle h, List<VectorIndex.Hit> hits, SearchOptions o, long t0) {
        List<SearchHit> out = new ArrayList<>(hits.size());
        for (VectorIndex.Hit hit : hits) {
            Optional<CatalogEntry> e = catalog.find(hit.id());
            out.add(new SearchHit(hit.id(), hit.score(), h.version, e.map(CatalogEntry::format).orElse(null),
                    e.map(CatalogEntry::filename).orElse(null), e.map(CatalogEntry::metadata).orElse(Map.of())));
        }
        return new SearchResult(h.version, o.k(), o.numCandidates(), o.from(), (System.nanoTime() - t0) / 1e6, out);
    }

    // ---------------------------------------------------------------- embeddings -> version indexes

    private void followEmbeddings() {
        Topic<String, Embedding> topic = platform.topics().embeddings();
        try {
            List<TopicPartition> parts = Partitions.await(embeddingsConsumer, topic.name(), () -> running);
            embeddingsConsumer.assign(parts);
            for (TopicPartition tp : parts) {
                long from = versions.values().stream().mapToLong(h -> h.start(tp.partition())).min().orElse(0L);
                embeddingsConsumer.seek(tp, from);
            }
            long lastRefresh = 0;
            long lastCommit = System.nanoTime();
            long lastLag = 0;
            while (running) {
                Runnable task;
                while ((task = writerTasks.poll()) != null) {
                    task.run();
                }
                for (ConsumerRecord<byte[], byte[]> r : embeddingsConsumer.poll(POLL)) {
                    applyEmbedding(topic, r);
                }
                long now = System.nanoTime();
                if (now - lastRefresh >= settings.refreshInterval().toNanos()) {
                    lastRefresh = now;
                    versions.values().stream().filter(h -> h.dirty).forEach(h -> {
                        h.dirty = false;
                        h.refresh();
                    });
                }
                if (now - lastCommit >= settings.commitInterval().toNanos()) {
                    lastCommit = now;
                    commitAll(parts);
                }
                if (now - lastLag >= settings.superviseInterval().toNanos()) {
                    lastLag = now;
                    Map<TopicPartition, Long> end = embeddingsConsumer.endOffsets(parts);
                    indexLag = parts.stream().mapToLong(tp -> Math.max(0, end.get(tp) - embeddingsConsumer.position(tp))).sum();
                }
            }
            commitAll(parts);
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
            for (VersionHandle h : versions.values()) {
                if (h.applies(r.partition(), r.offset())) {
                    h.delete(id);
                    h.dirty = true;
                }
            }
            return;
        }
        int version = e.getModelVersion();
        if (retired.contains(version)) {
            return;
        }
        VersionHandle h = versions.get(version);
        if (h == null) {
            h = openVersion(version, e.getDimension());
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
        applied.incrementAndGet();
    }

    private VersionHandle openVersion(int version, int dimension) {
        Path dir = versionDir(version);
        VectorIndex index;
        try {
            try {
                index = VectorIndex.open(dir, dimension, settings.hnsw());
            } catch (IllegalArgumentException e) {
                // The directory holds another dimension: it cannot be this version's index, so it is rebuilt.
                LOG.warn("index of model version {} in {} does not match ({}); rebuilding it", version, dir, e.getMessage());
                VectorIndex.deleteIndex(dir);
                index = VectorIndex.open(dir, dimension, settings.hnsw());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the index of model version " + version + " in " + dir, e);
        }
        VersionHandle h = new VersionHandle(version, index);
        versions.put(version, h);
        dimensions.put(version, dimension);
        saveState();
        LOG.info("index of model version {} opened ({} dimensions, {} documents{})", version, dimension, h.numDocs(),
                index.rebuilt() ? ", rebuilt from the topic" : "");
        return h;
    }

    private void commitAll(List<TopicPartition> parts) {
        Map<Integer, Long> positions = new HashMap<>();
        for (TopicPartition tp : parts) {
            positions.put(tp.partition(), embeddingsConsumer.position(tp));
        }
        for (VersionHandle h : versions.values()) {
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
            boolean dirty = false;
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : imagesConsumer.poll(POLL)) {
                    applyImage(topic, r);
                    dirty = true;
                }
                long now = System.nanoTime();
                if (dirty && now - lastRefresh >= settings.refreshInterval().toNanos()) {
                    lastRefresh = now;
                    dirty = false;
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
            writerTasks.add(() -> versions.values().forEach(h -> {
                h.delete(id);
                h.dirty = true;
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

    // ---------------------------------------------------------------- versions: lag, activation, retirement

    private void supervise() {
        try {
            List<TopicPartition> parts = Partitions.await(modelsConsumer, platform.topics().models().name(), () -> running);
            modelsConsumer.assign(parts);
            modelsConsumer.seekToBeginning(parts);
            restoreActive();
            while (running) {
                for (ConsumerRecord<String, ModelVersion> r : modelsConsumer.poll(settings.superviseInterval())) {
                    if (r.value() != null) {
                        models.put(r.value().getVersion(), r.value());
                    }
                }
                for (VersionHandle h : versions.values()) {
                    OptionalLong lag = lags.groupLag(TopicNames.embedderApplicationId(h.version), platform.topics().images().name());
                    h.embedderLag = lag.orElse(-1);
                }
                selectActive();
                retireOld();
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("index version supervisor woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("index version supervisor stopped: {}", e.toString(), e);
        } finally {
            modelsConsumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean caughtUp(VersionHandle h, VersionHandle current) {
        long lag = settings.catchUpLag();
        if (h.embedderLag < 0 || h.embedderLag > lag || indexLag < 0 || indexLag > lag) {
            return false;
        }
        return current == null || current == h || h.numDocs() + lag >= current.numDocs();
    }

    /**
     * Where the models topic names a target ({@link ModelTarget}: the newest published version, or one
     * an operator pinned), that version answers as soon as its index has caught up, older or newer than
     * the current one; until then the current one goes on. Without a target (only the bootstrap
     * encoder's version 0 so far) the newest caught-up version answers.
     */
    private void selectActive() {
        VersionHandle current = active.get();
        OptionalInt target = ModelTarget.select(models);
        if (target.isPresent()) {
            VersionHandle h = versions.get(target.getAsInt());
            if (h != null && h != current && caughtUp(h, current)) {
                activate(h, current);
            }
            return;
        }
        for (VersionHandle h : versions.descendingMap().values()) {
            if (current != null && h.version <= current.version) {
                return;
            }
            if (caughtUp(h, current)) {
                activate(h, current);
                return;
            }
        }
    }

    private void activate(VersionHandle h, VersionHandle previous) {
        h.everActive = true;
        active.set(h);
        saveState();
        LOG.info("model version {} now answers queries ({} documents){}", h.version, h.numDocs(),
                previous == null ? "" : "; version " + previous.version + " stays on standby");
    }

    /**
     * Retires versions older than the active one beyond the newest {@code retainVersions - 1}; the
     * target version (which may be an older one an operator pinned) is never retired.
     */
    private void retireOld() {
        VersionHandle current = active.get();
        if (current == null) {
            return;
        }
        OptionalInt target = ModelTarget.select(models);
        List<Integer> older = new ArrayList<>(versions.headMap(current.version).descendingKeySet());
        for (int i = settings.retainVersions() - 1; i < older.size(); i++) {
            int v = older.get(i);
            if (target.isEmpty() || target.getAsInt() != v) {
                writerTasks.add(() -> retire(v));
            }
        }
    }

    /** Runs on the embeddings thread, the only writer of the version indexes. */
    private void retire(int version) {
        VersionHandle h = versions.remove(version);
        if (h == null) {
            return;
        }
        retired.add(version);
        dimensions.remove(version);
        saveState();
        h.retire(true);
        LOG.info("model version {} retired; its index is deleted once no query holds it", version);
    }

    private void restoreActive() {
        Integer saved = savedActive;
        if (saved != null) {
            VersionHandle h = versions.get(saved);
            if (h != null && !h.index.rebuilt()) {
                h.everActive = true;
                active.set(h);
                LOG.info("model version {} answers queries again ({} documents)", saved, h.numDocs());
            }
        }
    }

    // ---------------------------------------------------------------- state file

    private volatile Integer savedActive;

    /**
     * The live versions with their dimensions, the retired ones and the active one survive a restart in a
     * small properties file, so that an index directory deleted by hand is noticed (and rebuilt) and a
     * restarted process answers queries from the same version at once.
     */
    private void loadState() {
        Path file = settings.dataDir().resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            LOG.warn("cannot read {} ({}); every version index is rebuilt from the topic", file, e.toString());
            return;
        }
        for (String v : p.getProperty("retired", "").split(",")) {
            if (!v.isBlank()) {
                retired.add(Integer.parseInt(v.trim()));
            }
        }
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("v") && key.endsWith(".dimension")) {
                int version = Integer.parseInt(key.substring(1, key.length() - ".dimension".length()));
                if (!retired.contains(version)) {
                    openVersion(version, Integer.parseInt(p.getProperty(key)));
                }
            }
        }
        String a = p.getProperty("active");
        savedActive = a == null || a.isBlank() ? null : Integer.valueOf(a);
    }

    private synchronized void saveState() {
        Properties p = new Properties();
        dimensions.forEach((v, d) -> p.setProperty("v" + v + ".dimension", Integer.toString(d)));
        p.setProperty("retired", retired.stream().sorted().map(String::valueOf).collect(Collectors.joining(",")));
        VersionHandle a = active.get();
        if (a != null) {
            p.setProperty("active", Integer.toString(a.version));
        }
        Path file = settings.dataDir().resolve(STATE_FILE);
        Path tmp = file.resolveSibling(STATE_FILE + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp)) {
            p.store(out, "index versions");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file, e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private Path versionDir(int version) {
        return settings.dataDir().resolve("v" + version);
    }

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

    @Override
    public void close() throws InterruptedException {
        // No wakeup(): the readers poll in short slices and commit what they hold on their way out.
        running = false;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(15));
        }
        for (VersionHandle h : versions.values()) {
            h.retire(false);
        }
        versions.clear();
        catalog.close();
        deadLetters.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }
}
