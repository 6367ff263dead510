package io.planstream.app.status;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import io.planstream.avro.DeadLetter;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Topic;

/**
 * Counts the records in the dead-letter topic, by stage, and keeps the newest one's reason.
 *
 * <p>Why a reader and not the topic's offsets: the embedder writes dead letters inside its
 * exactly-once transactions, so every one comes with a commit marker that takes an offset of its own,
 * and end minus start offsets would count each letter about twice. The reader reads committed records
 * only, continues where it stopped on each call, and is bounded by {@link #MAX_WAIT} per call, so a
 * status request never waits long on Kafka.
 */
@ApplicationScoped
public class DeadLetterCount {

    private static final Logger LOG = Logger.getLogger(DeadLetterCount.class);
    static final Duration MAX_WAIT = Duration.ofSeconds(1);

    /** What the topic held so far; {@code last} is the newest letter read, null while there is none. */
    public record Snapshot(long count, Map<String, Long> byStage, Last last) {
        public Snapshot {
            byStage = Map.copyOf(byStage);
        }
    }

    /** The newest dead letter: the stage that refused a record, why, and the record's topic. */
    public record Last(String stage, String reason, String topic, Integer modelVersion, java.time.Instant time) {
    }

    @Inject
    KafkaPlatform platform;

    private KafkaConsumer<byte[], byte[]> consumer;
    private List<TopicPartition> partitions = List.of();
    private long count;
    private final Map<String, Long> byStage = new TreeMap<>();
    private Last last;

    /** Reads what arrived since the last call (at most {@link #MAX_WAIT}) and answers the totals. */
    public synchronized Snapshot read() {
        try {
            catchUp();
        } catch (KafkaException e) {
            // The count is informational: answer what was read so far and try again on the next call.
            LOG.debugf("dead-letter count not refreshed: %s", e.toString());
        }
        return new Snapshot(count, byStage, last);
    }

    private void catchUp() {
        Topic<byte[], DeadLetter> topic = platform.topics().deadLetters();
        if (consumer == null) {
            Map<String, Object> p = new HashMap<>(platform.clientProperties());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "planstream-dead-letter-count");
            p.remove(ConsumerConfig.GROUP_ID_CONFIG);
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        if (partitions.isEmpty()) {
            var infos = consumer.partitionsFor(topic.name(), MAX_WAIT);
            if (infos == null || infos.isEmpty()) {
                return;
            }
            partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, MAX_WAIT);
        while (!reached(end) && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                count(topic, r);
            }
        }
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private void count(Topic<byte[], DeadLetter> topic, ConsumerRecord<byte[], byte[]> r) {
        count++;
        if (r.value() == null) {
            byStage.merge("unknown", 1L, Long::sum);
            return;
        }
        try {
            DeadLetter d = topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            byStage.merge(d.getStage(), 1L, Long::sum);
            last = new Last(d.getStage(), d.getReason(), d.getTopic(), d.getModelVersion(), d.getTime());
        } catch (KafkaException e) {
            byStage.merge("unknown", 1L, Long::sum);
            LOG.debugf("dead letter %s-%d@%d does not decode: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    @PreDestroy
    synchronized void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
