package io.planstream.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

import io.planstream.avro.ImageRecord;
import io.planstream.platform.Topic;

/**
 * Writes accepted images to the images topic and waits for the acknowledgement of every in-sync
 * replica, so that an upload is answered only once it is durable. Thread-safe: one producer serves
 * every request thread, which is how Kafka producers batch best.
 */
public final class ImagePublisher implements AutoCloseable {

    private final Topic<String, ImageRecord> topic;
    private final KafkaProducer<String, ImageRecord> producer;
    private final Duration ackTimeout;

    /**
     * @param clientProperties bootstrap servers and any security settings, passed through
     * @param ackTimeout how long an upload waits for Kafka before it is answered as unavailable
     * @param maxRecordBytes the largest record the topic takes ({@link io.planstream.platform.Topics#imageMaxMessageBytes()})
     */
    public ImagePublisher(Map<String, Object> clientProperties, Topic<String, ImageRecord> topic, Duration ackTimeout,
                          int maxRecordBytes) {
        this.topic = topic;
        this.ackTimeout = ackTimeout;
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, p.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "planstream-ingest"));
        // A down cluster must turn into a quick 503, not a request thread parked for a minute.
        long ackMs = ackTimeout.toMillis();
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(ackMs, 5_000L));
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(ackMs, 10_000L));
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(ackMs, Math.min(ackMs, 10_000L) + 5L));
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 2);
        // Room for the largest accepted upload and its envelope: the topic's max.message.bytes.
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
        this.producer = new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    /**
     * Writes one record and waits for its acknowledgement.
     *
     * @throws KafkaUnavailableException when Kafka does not acknowledge within the ack timeout
     */
    public RecordMetadata publish(ImageRecord record) {
        return await(send(new ProducerRecord<>(topic.name(), record.getId(), record)));
    }

    private Future<RecordMetadata> send(ProducerRecord<String, ImageRecord> record) {
        try {
            return producer.send(record);
        } catch (KafkaException e) {
            throw new KafkaUnavailableException("Kafka did not accept the write: " + e.getMessage(), e);
        }
    }

    private RecordMetadata await(Future<RecordMetadata> sent) {
        long deadline = System.nanoTime() + ackTimeout.toNanos();
        try {
            return sent.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while waiting for Kafka", e);
        } catch (ExecutionException e) {
            throw new KafkaUnavailableException("Kafka refused the write: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka did not acknowledge the write within " + ackTimeout.toMillis() + " ms", e);
        }
    }

    /**
     * Writes a tombstone for {@code id} (the image is deleted wherever the images topic is followed)
     * and waits for its acknowledgement.
     *
     * @throws KafkaUnavailableException when Kafka does not acknowledge within the ack timeout
     */
    public RecordMetadata delete(String id) {
        return await(send(new ProducerRecord<>(topic.name(), id, null)));
    }

    /** Sends without waiting (bulk ingest); the callback reports the outcome. */
    public void publishAsync(ImageRecord record, org.apache.kafka.clients.producer.Callback callback) {
        producer.send(new ProducerRecord<>(topic.name(), record.getId(), record), callback);
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
