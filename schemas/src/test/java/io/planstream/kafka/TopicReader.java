package io.planstream.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.planstream.schemas.Topic;

/** Test helper: reads a whole topic, as it is now, into the latest value per key. */
public final class TopicReader {

    private TopicReader() {
    }

    /** Every partition from the beginning up to the end offsets seen at the start, bounded by {@code timeout}. */
    public static <K, V> Map<K, V> latestByKey(Map<String, Object> clientProperties, Topic<K, V> topic, Duration timeout) {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            Map<K, V> out = new LinkedHashMap<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("topic " + topic.name() + " not read to its end within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.put(r.key(), r.value()));
            }
            return out;
        }
    }
}
