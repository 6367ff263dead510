package io.planstream.platform;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;


/** Test helper: reads a whole topic, as it is now. */
public final class TopicReader {

    private TopicReader() {
    }

    /** The latest value per key of {@link #records}. */
    public static <K, V> Map<K, V> latestByKey(Map<String, Object> clientProperties, Topic<K, V> topic, Duration timeout) {
        Map<K, V> out = new LinkedHashMap<>();
        records(clientProperties, topic, timeout).forEach(r -> out.put(r.key(), r.value()));
        return out;
    }

    /**
     * Every record of every partition from the beginning up to the end offsets seen at the start, bounded
     * by {@code timeout}; {@code isolation.level} in {@code clientProperties} decides whether records of
     * aborted transactions are among them (read_committed: no, and the end is the last stable offset).
     */
    public static <K, V> List<ConsumerRecord<K, V>> records(Map<String, Object> clientProperties, Topic<K, V> topic,
                                                            Duration timeout) {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            List<ConsumerRecord<K, V>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("topic " + topic.name() + " not read to its end within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}
