package io.planstream.trainer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

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
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Partitions;
import io.planstream.platform.Topic;
import io.planstream.schemas.ImageRecords;
import io.planstream.simclr.data.PreprocessException;
import io.planstream.simclr.data.Preprocessor;

/**
 * The images topic read into the {@link TrainingBuffer}, on its own thread, from the start of the topic:
 * what the topic held at start-up is backlog, and only images that arrive after it count towards a round.
 */
final class ImageFeed {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFeed.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaPlatform platform;
    private final TrainerSettings settings;
    private final KafkaConsumer<byte[], byte[]> imagesConsumer;
    private final Thread reader;
    private final AtomicLong refused = new AtomicLong();
    /** Images that arrived after start-up (what was in the topic then is backlog, not news). */
    private final AtomicLong arrived = new AtomicLong();
    private volatile TrainingBuffer buffer;
    private volatile boolean rewind;
    private volatile boolean running = true;
    private volatile Map<Integer, Long> backlogEnd = Map.of();

    ImageFeed(KafkaPlatform platform, TrainerSettings settings) {
        this.platform = platform;
        this.settings = settings;
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        this.imagesConsumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::readImages, "planstream-trainer-images");
        reader.setDaemon(true);
    }

    /** Sets up the first buffer, of pictures of {@code channels} x {@code size} x {@code size}; before {@link #start()}. */
    void shape(int channels, int size) {
        buffer = newBuffer(channels, size);
    }

    void start() {
        reader.start();
    }

    /** Replaces the buffer by an empty one of another shape, refilled from the start of the topic. */
    void refill(int channels, int size) {
        buffer = newBuffer(channels, size);
        rewind = true;
    }

    private TrainingBuffer newBuffer(int channels, int size) {
        return new TrainingBuffer(channels, size, settings.bufferImages(), settings.bufferBytes(), settings.sampling(),
                settings.seed());
    }

    TrainingBuffer buffer() {
        return buffer;
    }

    /** Images that arrived after start-up. */
    long arrived() {
        return arrived.get();
    }

    /** Records that could not be read or preprocessed. */
    long refused() {
        return refused.get();
    }

    private void readImages() {
        Topic<String, ImageRecord> topic = platform.topics().images();
        try {
            List<TopicPartition> parts = Partitions.await(imagesConsumer, topic.name(), () -> running);
            imagesConsumer.assign(parts);
            imagesConsumer.seekToBeginning(parts);
            // A restart reads the whole topic again into the buffer; only what follows counts towards a round.
            markBacklog(parts);
            while (running) {
                if (rewind) {
                    rewind = false;
                    imagesConsumer.seekToBeginning(parts);
                    markBacklog(parts);
                }
                TrainingBuffer b = buffer;
                Preprocessor pre = new Preprocessor(b.imageSize(), b.channels());
                for (ConsumerRecord<byte[], byte[]> r : imagesConsumer.poll(POLL)) {
                    take(topic, r, b, pre);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("trainer image reader woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("trainer image reader stopped: {}", e.toString(), e);
        } finally {
            imagesConsumer.close(Duration.ofSeconds(5));
        }
    }

    private void markBacklog(List<TopicPartition> parts) {
        Map<Integer, Long> end = new HashMap<>();
        imagesConsumer.endOffsets(parts).forEach((tp, offset) -> end.put(tp.partition(), offset));
        backlogEnd = end;
    }

    private void take(Topic<String, ImageRecord> topic, ConsumerRecord<byte[], byte[]> r, TrainingBuffer b, Preprocessor pre) {
        String id;
        try {
            id = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
            if (r.value() == null) {
                b.remove(id);
                return;
            }
            ImageRecord image = topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            String label = settings.labelKey().isEmpty() ? null : image.getMetadata().get(settings.labelKey());
            b.offer(id, pre.apply(ImageRecords.picture(image)), label, RoomProgramme.of(image.getMetadata()));
            if (r.offset() >= backlogEnd.getOrDefault(r.partition(), 0L)) {
                arrived.incrementAndGet();
            }
        } catch (SerializationException | PreprocessException e) {
            // The embedder sends such records to the dead letters with the reason; here they are only counted.
            refused.incrementAndGet();
            LOG.debug("trainer skips record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /** Asks the reader to stop; it closes its consumer on its way out. */
    void stop() {
        running = false;
        imagesConsumer.wakeup();
    }

    /** Waits for the reader to end after {@link #stop()}. */
    void join(Duration timeout) throws InterruptedException {
        reader.join(timeout.toMillis());
    }
}
