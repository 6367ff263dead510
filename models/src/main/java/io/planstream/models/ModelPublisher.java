package io.planstream.models;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ArtifactChunk;
import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Topic;
import io.planstream.platform.Topics;

/**
 * Publishes model versions, one publisher at a time: the artifact's chunks and the version's record go
 * to Kafka in one transaction, so readers with {@code isolation.level=read_committed} see a version
 * together with its whole artifact, or neither.
 *
 * <p>All trainers of a deployment use the same transactional id. Creating a publisher calls
 * {@link KafkaProducer#initTransactions()}, which aborts any transaction an older publisher with that
 * id left open and fences that publisher: its next transaction fails with
 * {@link PublisherFencedException}. So two trainers can never issue the same version number, and a
 * trainer that hung and came back cannot publish over the one that replaced it.
 *
 * <p>Not for concurrent use by several threads beyond what its {@code synchronized} methods serialise;
 * close it to release the producer.
 */
public final class ModelPublisher implements AutoCloseable {

    /** Time one publish may take unless the publisher is told otherwise; enough for a few hundred MB on a LAN. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(ModelPublisher.class);
    // Every chunk of a version goes to the same partition, so that its URI's first offset leads to all of them.
    private static final int ARTIFACT_PARTITION = 0;

    private final KafkaPlatform platform;
    private final String transactionalId;
    private final int chunkBytes;
    private final Duration timeout;
    // Bytes, not typed values: one producer, and so one transaction, writes to two topics of different types.
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    // The highest version this publisher committed: a floor for the next one should the log lag behind.
    private int lastIssued;
    private boolean fenced;
    private RuntimeException broken;
    private boolean closed;

    /** A publisher with {@link ArtifactChunks#DEFAULT_CHUNK_BYTES} chunks and the {@link #DEFAULT_TIMEOUT}. */
    public ModelPublisher(KafkaPlatform platform, String transactionalId) {
        this(platform, transactionalId, ArtifactChunks.DEFAULT_CHUNK_BYTES, DEFAULT_TIMEOUT);
    }

    /**
     * Creates the transactional producer and fences every older publisher with {@code transactionalId}.
     *
     * @param transactionalId the one id all publishers of the deployment share
     * @param chunkBytes      largest chunk, 1 to {@link ArtifactChunks#MAX_CHUNK_BYTES}
     * @param timeout         longest one publish may take: it bounds reading the models topic, and it is the
     *                        transaction timeout after which the broker aborts a publish that did not finish
     *                        (the broker's {@code transaction.max.timeout.ms}, 15 minutes by default, must allow it)
     * @throws IllegalStateException when transactions cannot be initialised, e.g. Kafka is unreachable
     */
    public ModelPublisher(KafkaPlatform platform, String transactionalId, int chunkBytes, Duration timeout) {
        this.platform = Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(transactionalId, "transactionalId");
        if (transactionalId.isBlank()) {
            throw new IllegalArgumentException("transactional id of a model publisher must not be blank");
        }
        this.transactionalId = transactionalId;
        this.chunkBytes = ArtifactChunks.checkChunkBytes(chunkBytes);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("publish timeout must be > 0 and at most " + Integer.MAX_VALUE + " ms, got " + timeout);
        }
        this.timeout = timeout;
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.ARTIFACT_MAX_MESSAGE_BYTES);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) timeout.toMillis());
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.admin = Admin.create(platform.clientProperties());
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            admin.close(Duration.ZERO);
            throw new IllegalStateException("model publisher '" + transactionalId + "' cannot initialise transactions on "
                    + platform.bootstrapServers() + ": " + e, e);
        }
        LOG.info("Model publisher '{}' started; older publishers with this id are fenced", transactionalId);
    }

    /**
     * Publishes the artifact in {@code artifactDir} as the next model version, in one transaction: reads the
     * models topic to find the highest version, sends the artifact's chunks, and sends a copy of
     * {@code template} with the new version and the artifact's URI set. Everything else in the template
     * (architecture, metrics, {@code artifactSha256}, state, ...) is kept as the caller gave it; its
     * {@code version} and {@code artifactUri} are replaced. When it returns, readers with
     * {@code read_committed} see the new version and its chunks.
     *
     * @return the model record as published
     * @throws IllegalArgumentException when the directory is not a flat directory of regular files, or the
     *                                  template lacks a required field; nothing is sent then
     * @throws PublisherFencedException when another publisher with the same transactional id took over;
     *                                  nothing of this publish becomes visible
     * @throws IOException              when a file cannot be read or Kafka refuses the records; the transaction
     *                                  is aborted, so nothing of this publish becomes visible
     * @throws org.apache.kafka.common.errors.TimeoutException when the models topic cannot be read within the
     *                                  timeout; nothing is sent then
     */
    public synchronized ModelVersion publish(Path artifactDir, ModelVersion template) throws IOException {
        Objects.requireNonNull(artifactDir, "artifactDir");
        Objects.requireNonNull(template, "template");
        checkUsable();
        // Refuse what cannot succeed before anything is sent: an artifact may be hundreds of MB.
        ArtifactChunks.files(artifactDir);
        Topic<String, ArtifactChunk> artifacts = platform.topics().artifacts();
        Topic<String, ModelVersion> models = platform.topics().models();
        ModelVersion.Builder completed = checkedCopy(template, new ArtifactUri(artifacts.name(), ARTIFACT_PARTITION, 0, 1));
        // No other publisher can write versions while this one is not fenced, so the highest version read
        // now is still the highest at commit; if it was fenced meanwhile, the commit fails. lastIssued
        // covers a log that does not show this publisher's own last commit yet (see awaitVisible).
        TreeMap<Integer, ModelVersion> existing = ModelLog.readAll(platform, timeout);
        int version = Math.max(lastIssued, existing.isEmpty() ? 0 : existing.lastKey()) + 1;
        ModelVersion published;
        List<RecordMetadata> written;
        ChunkSender sender = new ChunkSender(artifacts);
        begin();
        try {
            ArtifactChunks.split(artifactDir, version, chunkBytes, sender);
            producer.flush();
            RecordMetadata first = sender.first.get();
            ArtifactUri uri = new ArtifactUri(artifacts.name(), first.partition(), first.offset(), version);
            published = completed.setVersion(version).setArtifactUri(uri.toString()).build();
            Future<RecordMetadata> record = send(models, null, Integer.toString(version), published);
            producer.commitTransaction();
            written = List.of(sender.last.get(), record.get());
        } catch (IOException | ExecutionException | InterruptedException | RuntimeException e) {
            throw failed(e, "publishing model version " + version);
        }
        lastIssued = version;
        LOG.info("Published model version {} with {} chunks ({} bytes) at {}", version, sender.chunks, sender.bytes,
                published.getArtifactUri());
        awaitVisible(written, "model version " + version);
        return published;
    }

    /**
     * Sets the state of each given version, in one transaction, by writing a copy of its newest record
     * with the new state; pinning, retiring and rejecting are done this way.
     *
     * @param states new state by version
     * @return the records as written, by ascending version
     * @throws IllegalArgumentException naming every version the models topic does not hold; nothing is written
     * @throws PublisherFencedException when another publisher with the same transactional id took over
     * @throws IOException              when Kafka refuses the records; nothing is written then
     */
    public synchronized List<ModelVersion> setStates(Map<Integer, ModelState> states) throws IOException {
        Objects.requireNonNull(states, "states");
        checkUsable();
        TreeMap<Integer, ModelState> wanted = new TreeMap<>();
        states.forEach((version, state) -> wanted.put(Objects.requireNonNull(version, "version"),
                Objects.requireNonNull(state, () -> "state of model version " + version)));
        if (wanted.isEmpty()) {
            return List.of();
        }
        TreeMap<Integer, ModelVersion> existing = ModelLog.readAll(platform, timeout);
        List<Integer> unknown = wanted.keySet().stream().filter(v -> !existing.containsKey(v)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no model version " + unknown + " on topic '" + platform.topics().models().name()
                    + "', which holds versions " + existing.keySet() + "; no state was changed");
        }
        List<ModelVersion> updated = new ArrayList<>();
        wanted.forEach((version, state) -> updated.add(copy(existing.get(version)).setState(state).build()));
        Topic<String, ModelVersion> models = platform.topics().models();
        RecordMetadata last;
        begin();
        try {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ModelVersion v : updated) {
                sent.add(send(models, null, Integer.toString(v.getVersion()), v));
            }
            producer.commitTransaction();
            last = sent.get(sent.size() - 1).get();
        } catch (ExecutionException | InterruptedException | RuntimeException e) {
            throw failed(e, "setting the states " + wanted);
        }
        LOG.info("Set the states of model versions {}", wanted);
        awaitVisible(List.of(last), "the states " + wanted);
        return List.copyOf(updated);
    }

    /** Closes the producer; an open transaction cannot exist here, every method ends its own. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            producer.close(timeout);
            admin.close(timeout);
        }
    }

    /**
     * A builder holding {@code v}'s fields, set one by one. Why not {@code ModelVersion.newBuilder(v)}:
     * its deep copy builds the state enum through Avro's shared class cache, which under an application
     * server's class loaders (Quarkus) hands out the enum class of another loader.
     */
    static ModelVersion.Builder copy(ModelVersion v) {
        return ModelVersion.newBuilder().setVersion(v.getVersion()).setParent(v.getParent()).setArchitecture(v.getArchitecture())
                .setDimension(v.getDimension()).setInputSize(v.getInputSize()).setArtifactUri(v.getArtifactUri())
                .setArtifactSha256(v.getArtifactSha256()).setManifest(v.getManifest() == null ? null : new HashMap<>(v.getManifest()))
                .setMetrics(v.getMetrics() == null ? null : new HashMap<>(v.getMetrics())).setState(v.getState()).setCreatedTime(v.getCreatedTime())
                .setPublisher(v.getPublisher());
    }

    /** A copy of {@code template} with {@code uri} set, checked to have every required field. */
    private static ModelVersion.Builder checkedCopy(ModelVersion template, ArtifactUri uri) {
        ModelVersion.Builder b;
        try {
            b = copy(template).setVersion(uri.version()).setArtifactUri(uri.toString());
            // A null in a non-null field is refused by its setter or by build(), which names the field.
            b.build();
        } catch (AvroRuntimeException e) {
            throw new IllegalArgumentException("the model version template cannot be published: " + e.getMessage(), e);
        }
        return b;
    }

    /**
     * Waits until readers with {@code read_committed} see the committed records {@code written}, so that a
     * caller, and this publisher's next {@link ModelLog#readAll}, find what was just published.
     *
     * <p>Why: a commit returns once the transaction coordinator has decided it; the commit markers reach
     * the partitions a little later, and until then the last stable offset, the end of what such readers
     * see, stays before the transaction's records. The wait polls the last stable offsets with backoff,
     * bounded by the timeout; past it the commit still stands, and only a warning is logged.
     */
    private void awaitVisible(List<RecordMetadata> written, String what) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        Map<TopicPartition, Long> needed = new HashMap<>();
        for (RecordMetadata m : written) {
            TopicPartition tp = new TopicPartition(m.topic(), m.partition());
            request.put(tp, OffsetSpec.latest());
            needed.merge(tp, m.offset() + 1, Math::max);
        }
        ListOffsetsOptions committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMs = 5;
        try {
            while (true) {
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = admin.listOffsets(request, committed).all()
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (needed.entrySet().stream().allMatch(e -> stable.get(e.getKey()).offset() >= e.getValue())) {
                    return;
                }
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) > deadline) {
                    LOG.warn("{} was committed, but readers did not see it within {}", what, timeout);
                    return;
                }
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("{} was committed, but whether readers see it yet could not be checked: {}", what, e.toString());
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("model publisher '" + transactionalId + "' is closed");
        }
        if (fenced) {
            throw new PublisherFencedException(transactionalId, null);
        }
        if (broken != null) {
            throw new IllegalStateException("model publisher '" + transactionalId + "' cannot publish any more: aborting"
                    + " a transaction failed with " + broken + "; close it and create a new one", broken);
        }
    }

    private void begin() {
        try {
            producer.beginTransaction();
        } catch (KafkaException e) {
            if (causedBy(e, ProducerFencedException.class)) {
                fenced = true;
                throw new PublisherFencedException(transactionalId, e);
            }
            throw e;
        }
    }

    private <V> Future<RecordMetadata> send(Topic<String, V> topic, Integer partition, String key, V value) {
        byte[] k = topic.keySerde().serializer().serialize(topic.name(), key);
        byte[] v = topic.valueSerde().serializer().serialize(topic.name(), value);
        return producer.send(new ProducerRecord<>(topic.name(), partition, k, v));
    }

    /**
     * Ends the open transaction after {@code e} and returns the exception to throw. A publisher that Kafka
     * says was fenced cannot abort (the new publisher's start already did) and throws
     * {@link PublisherFencedException}. Any other failure is aborted; an invalid producer epoch is tried
     * too, since a transaction the broker timed out also gets one, and the abort then tells fencing apart.
     */
    private IOException failed(Exception e, String what) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        boolean fencedNow = causedBy(e, ProducerFencedException.class);
        if (!fencedNow) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException abortFailure) {
                fencedNow = causedBy(abortFailure, ProducerFencedException.class)
                        || causedBy(abortFailure, InvalidProducerEpochException.class);
                if (!fencedNow) {
                    broken = abortFailure;
                    e.addSuppressed(abortFailure);
                }
            }
        }
        if (fencedNow) {
            fenced = true;
            throw new PublisherFencedException(transactionalId, e);
        }
        LOG.warn("{} failed; its transaction was aborted: {}", what, e.toString());
        if (e instanceof IllegalArgumentException iae) {
            throw iae;
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return new IOException(what + " failed, and its transaction was aborted: " + cause, cause);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Sends each chunk as it is cut, keeping the first send's result: its offset is the artifact's URI. */
    private final class ChunkSender implements ArtifactChunks.ChunkSink {
        private final Topic<String, ArtifactChunk> topic;
        private Future<RecordMetadata> first;
        private Future<RecordMetadata> last;
        private int chunks;
        private long bytes;

        ChunkSender(Topic<String, ArtifactChunk> topic) {
            this.topic = topic;
        }

        @Override
        public void accept(ArtifactChunk chunk) {
            int size = chunk.getData().remaining();
            Future<RecordMetadata> sent = send(topic, ARTIFACT_PARTITION, ArtifactChunks.key(chunk), chunk);
            if (first == null) {
                first = sent;
            }
            last = sent;
            chunks++;
            bytes += size;
        }
    }
}
