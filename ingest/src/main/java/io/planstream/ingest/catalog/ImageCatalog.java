package io.planstream.ingest.catalog;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ImageRecord;
import io.planstream.platform.Partitions;
import io.planstream.platform.RegistryOutage;
import io.planstream.platform.Topic;

/**
 * The accepted images, by id, as the images topic holds them: a reader thread follows the topic from
 * its beginning (without a consumer group, so every instance sees every partition), and uploads made by
 * this process are recorded as soon as Kafka acknowledged them, so a client reads its own writes.
 */
public final class ImageCatalog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImageCatalog.class);

    private final Map<String, ImageSummary> byId = new ConcurrentHashMap<>();
    /** Deletions made by this process that the reader has not yet read: id to the tombstone's offset. */
    private final Map<String, Long> deleted = new ConcurrentHashMap<>();
    private final Topic<String, ImageRecord> topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile long skipped;

    public ImageCatalog(Map<String, Object> clientProperties, Topic<String, ImageRecord> topic) {
        this.topic = topic;
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "planstream-catalog");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::run, "planstream-image-catalog");
        reader.setDaemon(true);
        reader.start();
    }

    public Optional<ImageSummary> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public int size() {
        return byId.size();
    }

    /** Records that this process wrote {@code record} and Kafka acknowledged it. */
    public void accepted(ImageRecord record, int partition, long offset) {
        String id = record.getId();
        byId.compute(id, (key, old) -> {
            Long deletedAt = deleted.get(key);
            if (deletedAt != null && offset < deletedAt) {
                return old; // the record came before a deletion this process already made
            }
            ImageSummary now = ImageSummary.of(record, partition, offset);
            return old == null || now.offset() >= old.offset() ? now : old;
        });
    }

    /**
     * Records that this process deleted the image with a tombstone at {@code offset}: it is gone at once
     * for this process's readers, and an older record of it that the reader meets afterwards does not
     * bring it back. (An id's records share one partition, so offsets order them.)
     */
    public void deleted(String id, long offset) {
        deleted.merge(id, offset, Math::max);
        byId.computeIfPresent(id, (key, old) -> old.offset() < offset ? null : old);
    }

    /** Waits until the reader has read what the topic held when it started. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Records in the topic the catalog could not decode. */
    public long skipped() {
        return skipped;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = Partitions.await(consumer, topic.name(), () -> running);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                if (!RegistryOutage.applyOrRewind(consumer, consumer.poll(Duration.ofMillis(500)), this::apply)) {
                    LOG.warn("image catalog: the schema registry does not answer; trying again in {} ms", RegistryOutage.BACKOFF.toMillis());
                    RegistryOutage.backOff();
                    continue;
                }
                if (caughtUp.getCount() > 0 && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.countDown();
                    LOG.info("Image catalog caught up: {} images", byId.size());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("image catalog reader woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("image catalog reader stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        String id = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
        if (id == null) {
            skipped++;
            return;
        }
        if (r.value() == null) {
            byId.computeIfPresent(id, (key, old) -> old.offset() < r.offset() ? null : old);
            // the reader is past the deletion now: no older record of the id can come
            deleted.computeIfPresent(id, (key, at) -> at <= r.offset() ? null : at);
            return;
        }
        try {
            ImageRecord record = topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            accepted(record, r.partition(), r.offset());
        } catch (SerializationException e) {
            skipped++;
            LOG.warn("image catalog skipped {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(TimeUnit.SECONDS.toMillis(10));
    }
}
