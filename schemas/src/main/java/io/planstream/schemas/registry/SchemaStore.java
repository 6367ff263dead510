package io.planstream.schemas.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.planstream.schemas.registry.RegistryState.StoredSchema;
import io.planstream.schemas.registry.RegistryState.Version;

/**
 * The embedded registry's storage: a one-partition compacted Kafka topic and the state rebuilt from
 * it.
 *
 * <p>The topic is the only source of truth. The state changes only by applying records read back
 * from it, at start and after each write, so what the registry answers is exactly what a restart
 * would rebuild. Writes are serialized by one lock; each first reads the topic to its end (so a
 * write that failed ambiguously earlier is seen before a new id is chosen), then appends with an
 * idempotent acks=all producer and answers only once it has read its own record back. One registry
 * instance may write a topic at a time.
 */
final class SchemaStore implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final String topic;
    private final TopicPartition partition;
    private final Duration timeout;
    private final RegistryState state = new RegistryState();
    /** Serializes writes and guards the consumer, which Kafka allows on one thread at a time only. */
    private final ReentrantLock writes = new ReentrantLock();
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;

    SchemaStore(String bootstrapServers, Map<String, ?> clientProperties, String topic, Duration timeout) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.timeout = timeout;
        ensureTopic(adminProperties(bootstrapServers, clientProperties));
        this.consumer = new KafkaConsumer<>(consumerProperties(bootstrapServers, clientProperties),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> created = null;
        try {
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            created = new KafkaProducer<>(producerProperties(bootstrapServers, clientProperties),
                    new ByteArraySerializer(), new ByteArraySerializer());
            writes.lock();
            try {
                catchUp();
            } finally {
                writes.unlock();
            }
        } catch (RuntimeException e) {
            if (created != null) {
                created.close(Duration.ZERO);
            }
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        this.producer = created;
    }

    String topic() {
        return topic;
    }

    int schemaCount() {
        return state.schemaCount();
    }

    int subjectCount() {
        return state.subjects(false).size();
    }

    // ---- reads ----------------------------------------------------------------------------------

    StoredSchema schemaById(int id) {
        return state.schema(id).orElseThrow(() -> RegistryError.schemaNotFound(String.valueOf(id)));
    }

    List<Version> versionsWithId(int id, boolean includeDeleted) {
        schemaById(id);
        return state.versionsWithId(id, includeDeleted);
    }

    List<String> subjects(boolean includeDeleted) {
        return state.subjects(includeDeleted);
    }

    /** The versions of a subject, oldest first; 40401 when it has none. */
    List<Version> versions(String subject, boolean includeDeleted) {
        List<Version> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions;
    }

    /** The version named by {@code spec}: a number, or {@code latest} / {@code -1} for the newest. */
    Version version(String subject, String spec, boolean includeDeleted) {
        VersionSpec wanted = parseVersion(spec);
        List<Version> versions = versions(subject, includeDeleted);
        if (wanted.latest()) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == wanted.number()).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(subject, wanted.number()));
    }

    /** The version of the subject that holds exactly this schema. */
    Version lookup(String subject, Schema schema, boolean includeDeleted) {
        String text = schema.toString();
        List<Version> versions = versions(subject, includeDeleted);
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versions.get(i).schema().text().equals(text)) {
                return versions.get(i);
            }
        }
        throw new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found under subject '" + subject + "'.");
    }

    /**
     * Why the schema may not be registered under the subject: against one version when
     * {@code spec} names it, else against the versions the subject's level checks.
     */
    List<String> compatibilityProblems(String subject, String spec, Schema schema) {
        CompatibilityLevel level = state.level(subject);
        if (spec == null) {
            return level.problems(schema, state.versions(subject, false));
        }
        Version old = version(subject, spec, false);
        return level == CompatibilityLevel.NONE ? List.of() : level.problems(schema, old);
    }

    /** The subject's own level, or the global one when subject is null or defaultToGlobal. */
    CompatibilityLevel level(String subject, boolean defaultToGlobal) {
        if (subject == null) {
            return state.globalLevel();
        }
        Optional<CompatibilityLevel> own = state.subjectLevel(subject);
        if (own.isPresent()) {
            return own.get();
        }
        if (defaultToGlobal) {
            return state.globalLevel();
        }
        throw new RegistryError(404, SchemaRegistryException.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    // ---- writes ---------------------------------------------------------------------------------

    /** Registers the schema under the subject and returns its id; the same id again for a schema it already has. */
    int register(String subject, Schema schema) {
        String text = schema.toString();
        writes.lock();
        try {
            catchUp();
            List<Version> live = state.versions(subject, false);
            for (Version version : live) {
                if (version.schema().text().equals(text)) {
                    return version.id();
                }
            }
            CompatibilityLevel level = state.level(subject);
            List<String> problems = level.problems(schema, live);
            if (!problems.isEmpty()) {
                throw new RegistryError(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject '" + subject
                                + "' under " + level + "; details: " + String.join("; ", problems));
            }
            // The same schema text keeps its global id in every subject, as in Confluent's registry.
            int id = state.schemaByText(text).map(StoredSchema::id).orElse(state.maxId() + 1);
            append(List.of(StoreFormat.schema(subject, state.maxVersion(subject) + 1, id, text, false)));
            return id;
        } finally {
            writes.unlock();
        }
    }

    /**
     * Soft-deletes the live versions of a subject, or permanently removes a soft-deleted subject;
     * answers the versions deleted.
     */
    List<Integer> deleteSubject(String subject, boolean permanent) {
        writes.lock();
        try {
            catchUp();
            List<Version> all = state.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryError.subjectNotFound(subject);
            }
            List<Version> live = all.stream().filter(v -> !v.deleted()).toList();
            List<StoreFormat.Encoded> records = new ArrayList<>();
            if (permanent) {
                if (!live.isEmpty()) {
                    throw new RegistryError(404, SchemaRegistryException.SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                            + "' was not deleted first before being permanently deleted");
                }
                // Written first: compaction may drop the record that held the highest id.
                records.add(StoreFormat.maxId(state.maxId()));
                all.forEach(v -> records.add(StoreFormat.schemaTombstone(subject, v.version())));
            } else {
                if (live.isEmpty()) {
                    throw new RegistryError(404, SchemaRegistryException.SUBJECT_SOFT_DELETED, "Subject '" + subject
                            + "' was soft deleted. Set permanent=true to delete permanently");
                }
                live.forEach(v -> records.add(StoreFormat.schema(subject, v.version(), v.id(), v.schema().text(), true)));
            }
            append(records);
            return (permanent ? all : live).stream().map(Version::version).toList();
        } finally {
            writes.unlock();
        }
    }

    /** Sets the level of the subject, or the global level when subject is null. */
    CompatibilityLevel setLevel(String subject, CompatibilityLevel level) {
        writes.lock();
        try {
            catchUp();
            append(List.of(StoreFormat.config(subject, level)));
            return level;
        } finally {
            writes.unlock();
        }
    }

    /** Removes the subject's own level, so the global one applies; answers the level removed. */
    CompatibilityLevel deleteLevel(String subject) {
        writes.lock();
        try {
            catchUp();
            CompatibilityLevel old = level(subject, false);
            append(List.of(StoreFormat.config(subject, null)));
            return old;
        } finally {
            writes.unlock();
        }
    }

    @Override
    public void close() {
        writes.lock();
        try {
            producer.close(timeout);
            consumer.close(CloseOptions.timeout(timeout));
        } finally {
            writes.unlock();
        }
    }

    // ---- the topic ------------------------------------------------------------------------------

    /** Appends the records in order and returns once all are acknowledged and applied. Holds {@link #writes}. */
    private void append(List<StoreFormat.Encoded> records) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try {
            for (StoreFormat.Encoded record : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, partition.partition(), record.key(), record.value())));
            }
            long last = -1;
            for (Future<RecordMetadata> future : sent) {
                // The producer's delivery timeout is shorter, so this bound is only a safety net.
                last = future.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS).offset();
            }
            catchUpTo(last + 1);
        } catch (ExecutionException e) {
            throw storeError("cannot write to topic '" + topic + "': " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw storeError("no acknowledgement from topic '" + topic + "' within " + timeout.multipliedBy(2), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storeError("interrupted while writing to topic '" + topic + "'", e);
        } catch (KafkaException e) {
            throw storeError("cannot write to topic '" + topic + "': " + e.getMessage(), e);
        }
    }

    /** Reads the topic up to its current end. Holds {@link #writes}. */
    private void catchUp() {
        long end;
        try {
            end = consumer.endOffsets(Set.of(partition), timeout).get(partition);
        } catch (KafkaException e) {
            throw storeError("cannot read the end of topic '" + topic + "': " + e.getMessage(), e);
        }
        catchUpTo(end);
    }

    /** Applies records until the consumer's position reaches {@code target}, for at most {@link #timeout}. */
    private void catchUpTo(long target) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (consumer.position(partition, timeout) < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw storeError("could not read topic '" + topic + "' up to offset " + target + " within " + timeout, null);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofNanos(Math.min(left, POLL.toNanos())))) {
                    try {
                        apply(record);
                    } catch (RuntimeException e) {
                        // Back to the record that failed, so the records after it are not skipped:
                        // every later write fails here again until the topic is repaired.
                        consumer.seek(partition, record.offset());
                        throw e;
                    }
                }
            }
        } catch (KafkaException e) {
            throw storeError("cannot read topic '" + topic + "': " + e.getMessage(), e);
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        try {
            state.apply(StoreFormat.decode(record.key(), record.value()));
        } catch (IllegalArgumentException e) {
            // Only this registry writes the topic: a record it cannot read means the topic was
            // written by something else, and guessing past it could hand out an id twice.
            throw storeError("record at offset " + record.offset() + " of topic '" + topic
                    + "' is not a registry record: " + e.getMessage(), e);
        }
    }

    private RegistryError storeError(String message, Throwable cause) {
        return new RegistryError(500, SchemaRegistryException.STORE_ERROR, "Error in the backend data store: " + message, cause);
    }

    /** Creates the topic if missing and refuses one that would lose or reorder schemas. */
    private void ensureTopic(Map<String, Object> adminProperties) {
        try (Admin admin = Admin.create(adminProperties)) {
            NewTopic wanted = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(List.of(wanted)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create the schema topic '" + topic + "': " + e.getCause().getMessage(), e);
                }
            }
            // A topic just created may not be known to every part of the broker yet: describing it can
            // answer "unknown topic" for a moment, so that answer is retried with backoff until the timeout.
            long deadline = System.nanoTime() + timeout.toNanos();
            long backoffMs = 20;
            while (true) {
                try {
                    checkTopic(admin);
                    break;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() + backoffMs * 1_000_000 > deadline) {
                        throw e;
                    }
                    Thread.sleep(backoffMs);
                    backoffMs = Math.min(1000, backoffMs * 2);
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check the schema topic '" + topic + "': " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from Kafka within " + timeout + " about the schema topic '" + topic + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the schema topic '" + topic + "'", e);
        }
    }

    private void checkTopic(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        if (description.partitions().size() != 1) {
            throw new IllegalStateException("the schema topic '" + topic + "' has " + description.partitions().size()
                    + " partitions; the registry needs exactly 1 to keep its records in order");
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
        String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) || policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            throw new IllegalStateException("the schema topic '" + topic + "' has cleanup.policy=" + policy
                    + "; it must be compact, or schemas would expire");
        }
    }

    private Map<String, Object> adminProperties(String bootstrapServers, Map<String, ?> extra) {
        Map<String, Object> p = new HashMap<>(extra);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId(extra, "admin"));
        return p;
    }

    private Map<String, Object> producerProperties(String bootstrapServers, Map<String, ?> extra) {
        Map<String, Object> p = new HashMap<>(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId(extra, "producer"));
        // Transactions would need initTransactions; acks=all with idempotence is what the store relies on.
        p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        // Not overridable: a schema is answered only once every in-sync replica has it, exactly once.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A write ends, one way or the other, within the timeout: then the next write's catch-up sees
        // whether it landed before choosing another id.
        long requestTimeout = Math.max(1, timeout.toMillis() / 2);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        return p;
    }

    private Map<String, Object> consumerProperties(String bootstrapServers, Map<String, ?> extra) {
        Map<String, Object> p = new HashMap<>(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(extra, "reader"));
        // Assigned, not subscribed: every instance reads the whole topic and commits nothing.
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        // The broker answers a connection's requests in order, so a prefetch parked at the end of the
        // log would hold the next write's end-offset request for the whole wait (500 ms by default).
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return p;
    }

    /** A distinct id per client (Kafka registers one MBean per id), under the caller's client.id if it gave one. */
    private static String clientId(Map<String, ?> extra, String role) {
        Object given = extra.get(AdminClientConfig.CLIENT_ID_CONFIG);
        String prefix = given == null || given.toString().isBlank() ? "planstream" : given.toString();
        return prefix + "-schema-registry-" + role;
    }

    private static VersionSpec parseVersion(String spec) {
        if (spec.equals("latest") || spec.equals("-1")) {
            return new VersionSpec(true, 0);
        }
        try {
            int number = Integer.parseInt(spec);
            if (number >= 1) {
                return new VersionSpec(false, number);
            }
        } catch (NumberFormatException e) {
            throw invalidVersion(spec, e);
        }
        throw invalidVersion(spec, null);
    }

    private static RegistryError invalidVersion(String spec, Throwable cause) {
        return new RegistryError(422, SchemaRegistryException.INVALID_VERSION, "The specified version '" + spec
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", cause);
    }

    /** A parsed version path segment. */
    private record VersionSpec(boolean latest, int number) {
    }
}
