package io.planstream.platform;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import io.planstream.schemas.registry.SchemaRegistryException;

/**
 * A schema registry that does not answer (restarting, its host killed) is an outage to wait out, not a fault of
 * the record: a reader that meets one while decoding goes back to the record it could not read and tries again,
 * instead of stopping for good or dead-lettering a record that is fine.
 */
public final class RegistryOutage {

    /** How long a reader waits before it tries the registry again. */
    public static final Duration BACKOFF = Duration.ofSeconds(1);

    private RegistryOutage() {
    }

    /** Whether {@code e} (or a cause) says that no registry answered, or that the registry failed (5xx). */
    public static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException s && (s.status() == SchemaRegistryException.NO_ANSWER || s.status() >= 500)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies the records in order. Where one meets a registry outage, the consumer goes back, in each partition,
     * to the first record not applied, and the answer is false (the caller waits {@link #BACKOFF} and polls again);
     * any other failure is thrown.
     */
    public static <K, V> boolean applyOrRewind(Consumer<K, V> consumer, ConsumerRecords<K, V> records,
                                               java.util.function.Consumer<ConsumerRecord<K, V>> apply) {
        Map<TopicPartition, Long> next = new HashMap<>();
        try {
            for (ConsumerRecord<K, V> r : records) {
                apply.accept(r);
                next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            }
            return true;
        } catch (RuntimeException e) {
            if (!isOutage(e)) {
                throw e;
            }
            for (TopicPartition tp : records.partitions()) {
                consumer.seek(tp, next.getOrDefault(tp, records.records(tp).get(0).offset()));
            }
            return false;
        }
    }

    /** Waits {@link #BACKOFF}; false where the thread was interrupted. */
    public static boolean backOff() {
        try {
            Thread.sleep(BACKOFF.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
