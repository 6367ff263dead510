package io.planstream.embedder.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import ai.djl.Device;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.embedder.preprocess.Preprocessor;
import io.planstream.embedder.streams.EmbedderSettings;
import io.planstream.embedder.streams.EmbedderStream;
import io.planstream.kafka.KafkaPlatform;
import io.planstream.simclr.model.EncoderSpec;

/**
 * End-to-end embedding throughput through the real topics (Avro records in Kafka, the Kafka Streams
 * processor with exactly-once, decoding, preprocessing, batched forward, Avro out), next to the raw
 * forward throughput of the same encoder and batch measured in the same run.
 */
public final class EmbedBenchmark {

    /** What to measure. */
    public record Config(EncoderSpec encoder, int batch, int images, int pictureSize, boolean symmetries, Device device) {
    }

    /** The two rates and their ratio. */
    public record Result(String device, String encoder, int size, int batch, int images, boolean symmetries,
                         double pipelineImagesPerS, double forwardImagesPerS) {
        public double ratio() {
            return pipelineImagesPerS / forwardImagesPerS;
        }
    }

    /** Progress: the phase and how many of its units are done. */
    @FunctionalInterface
    public interface Listener {
        void progress(String phase, long done, long total);
    }

    private EmbedBenchmark() {
    }

    public static Result run(Config c, Listener listener) throws Exception {
        Path state = Files.createTempDirectory("planstream-bench-embed-");
        try (KafkaPlatform platform = KafkaPlatform.builder().optPartitions(1).start()) {
            produce(platform, c, listener);
            EmbedderSettings settings = new EmbedderSettings(c.batch(), Duration.ofMillis(50), c.symmetries());
            EncoderPool pool = new EncoderPool(() -> BatchEncoder.random(c.encoder(), 0, 1, c.device()));
            try (EmbedderStream stream = new EmbedderStream(platform, 0, pool,
                    new Preprocessor(c.encoder().inputSize(), c.encoder().inputChannels()), settings, state,
                    Map.of("num.stream.threads", 1, "commit.interval.ms", 100)).start()) {
                double pipeline = countOutputs(platform, c, listener);
                // Measured after the pipeline, on the same warm engine, while the stream idles.
                double forward = forwardRate(c, listener);
                return new Result(c.device().toString(), c.encoder().name(), c.encoder().inputSize(), c.batch(), c.images(),
                        c.symmetries(), pipeline, forward);
            }
        } finally {
            try (var walk = Files.walk(state)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Writes the images before the stream starts, so the stream is never waiting for uploads. */
    private static void produce(KafkaPlatform platform, Config c, Listener listener) throws Exception {
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        SplittableRandom random = new SplittableRandom(7);
        var serializer = platform.topics().images().valueSerde().serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < c.images(); i++) {
                String id = "bench-" + i;
                ImageRecord r = ImageRecord.newBuilder().setId(id).setContentType("image/png").setFormat(ImageFormat.PICTURE)
                        .setOriginal(ByteBuffer.wrap(picture(random, c.pictureSize()))).setWidth(c.pictureSize())
                        .setHeight(c.pictureSize()).setSource("bench").setSha256(id).setUploadTime(Instant.now())
                        .setMetadata(Map.of()).build();
                producer.send(new ProducerRecord<>(platform.topics().images().name(), id.getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(platform.topics().images().name(), r)));
                listener.progress("write images", i + 1, c.images());
            }
            producer.flush();
        }
    }

    private static double forwardRate(Config c, Listener listener) {
        int per = c.encoder().inputChannels() * c.encoder().inputSize() * c.encoder().inputSize();
        SplittableRandom random = new SplittableRandom(3);
        List<float[]> batch = new ArrayList<>();
        for (int i = 0; i < c.batch(); i++) {
            float[] img = new float[per];
            for (int j = 0; j < per; j++) {
                img[j] = (float) random.nextDouble();
            }
            batch.add(img);
        }
        int iterations = Math.max(3, Math.min(50, c.images() / c.batch()));
        try (BatchEncoder encoder = BatchEncoder.random(c.encoder(), 0, 1, c.device())) {
            for (int w = 0; w < 3; w++) {
                encoder.embed(batch, c.symmetries());
            }
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                encoder.embed(batch, c.symmetries());
                listener.progress("raw forward", i + 1, iterations);
            }
            return iterations * (double) c.batch() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Reads the embeddings as they are committed; the rate counts from the first batch out to the last
     * embedding, so the stream's start-up (joining its group, loading the model) is not in it.
     */
    private static double countOutputs(KafkaPlatform platform, Config c, Listener listener) {
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        String topic = platform.topics().embeddings().name();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long seen = 0;
            long firstAt = 0;
            long firstCount = 0;
            long lastAt = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (seen < c.images()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + seen + " of " + c.images() + " embeddings within 30 minutes");
                }
                int n = consumer.poll(Duration.ofMillis(20)).count();
                if (n > 0) {
                    long now = System.nanoTime();
                    if (firstAt == 0) {
                        firstAt = now;
                        firstCount = n;
                    }
                    seen += n;
                    lastAt = now;
                    listener.progress("pipeline", seen, c.images());
                }
            }
            if (lastAt == firstAt) {
                throw new IllegalStateException("all embeddings arrived at once: use more --images than --batch");
            }
            return (seen - firstCount) / ((lastAt - firstAt) / 1e9);
        }
    }

    /** A flat-coloured plan-like drawing, distinct per call. */
    static byte[] picture(SplittableRandom random, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size, size);
        for (int r = 0; r < 6; r++) {
            g.setColor(new Color(random.nextInt(0xFFFFFF)));
            g.fillRect(random.nextInt(size / 2), random.nextInt(size / 2), 1 + random.nextInt(size / 2), 1 + random.nextInt(size / 2));
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
