package io.planstream.models;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import io.planstream.avro.ModelVersion;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Topic;

/** Reads the models topic: every model version there is, as its newest record says. */
public final class ModelLog {

    private static final Duration POLL = Duration.ofMillis(200);

    private ModelLog() {
    }

    /**
     * The newest committed record of every version on the models topic, by version, read from the
     * beginning to the end the topic has now.
     *
     * <p>Reads with {@code isolation.level=read_committed}, so a version whose publishing transaction is
     * open or was aborted is not seen, and with no consumer group, so reading leaves no trace on the
     * cluster. Tombstones are skipped.
     *
     * @throws IllegalStateException when the models topic does not exist
     * @throws TimeoutException when the topic cannot be read to its end within {@code timeout}
     */
    public static TreeMap<Integer, ModelVersion> readAll(KafkaPlatform platform, Duration timeout) {
        Topic<String, ModelVersion> topic = platform.topics().models();
        long deadline = System.nanoTime() + timeout.toNanos();
        TreeMap<Integer, ModelVersion> out = new TreeMap<>();
        try (KafkaConsumer<String, ModelVersion> consumer = new KafkaConsumer<>(readCommitted(platform),
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic.name(), timeout).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            if (parts.isEmpty()) {
                throw new IllegalStateException("topic '" + topic.name() + "' does not exist on " + platform.bootstrapServers());
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            // Under read_committed these are the last stable offsets: records of open transactions lie beyond.
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, remaining(deadline));
            for (TopicPartition tp : parts) {
                while (true) {
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException("topic '" + topic.name() + "' was not read to its end (offset "
                                + end.get(tp) + " of partition " + tp.partition() + ") within " + timeout);
                    }
                    if (consumer.position(tp, remaining(deadline)) >= end.get(tp)) {
                        break;
                    }
                    for (ConsumerRecord<String, ModelVersion> r : consumer.poll(POLL)) {
                        if (r.value() != null) {
                            out.put(r.value().getVersion(), r.value());
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Settings of a consumer that sees only committed records and joins no group. */
    static Map<String, Object> readCommitted(KafkaPlatform platform) {
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return p;
    }

    static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }
}
