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

/**
 * The embedded registry's topic: a one-partition compacted topic, created or checked at start, and the
 * {@link RegistryState} that applying its records builds. Appends go through an idempotent acks=all
 * producer and return only once the records have been read back and applied. It takes no lock: the
 * {@link SchemaStore} calls it under its write lock, which also guards the consumer (Kafka allows a
 * consumer on one thread at a time only).
 */
final class SchemaLog implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final String topic;
    private final TopicPartition partition;
    private final Duration timeout;
    private final RegistryState state;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;

    /** Creates or checks the topic and reads it to its end into {@code state}. */
    SchemaLog(String bootstrapServers, Map<String, ?> clientProperties, String topic, Duration timeout, RegistryState state) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.timeout = timeout;
        this.state = state;
        ensureTopic(adminProperties(bootstrapServers, clientProperties));
        this.consumer = new KafkaConsumer<>(consumerProperties(bootstrapServers, clientProperties),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> created = null;
        try {
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            created = new KafkaProducer<>(producerProperties(bootstrapServers, clientProperties),
                    new ByteArraySerializer(), new ByteArraySerializer());
            this.producer = created;
            catchUp();
        } catch (RuntimeException e) {
            if (created != null) {
                created.close(Duration.ZERO);
            }
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
    }

    String topic() {
        return topic;
    }

    /**
     * Appends the records in order and returns once all are acknowledged and applied. The caller holds the
     * store's write lock.
     */
    void append(List<StoreFormat.Encoded> records) {
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

    /** Reads the topic up to its current end. The caller holds the store's write lock. */
    void catchUp() {
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

    private static RegistryError storeError(String message, Throwable cause) {
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

    @Override
    public void close() {
        producer.close(timeout);
        consumer.close(CloseOptions.timeout(timeout));
    }
}
