package io.planstream.embedder.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.platform.KafkaPlatform;
import io.planstream.schemas.registry.EmbeddedSchemaRegistry;
import io.planstream.simclr.Devices;
import io.planstream.simclr.data.Preprocessor;
import io.planstream.simclr.model.EncoderSpec;

/**
 * Exactly-once across a crash: an embedder process is killed (SIGKILL, no shutdown of any kind) while
 * it works through a backlog with batches out on its forward lane, and a restarted embedder on the same
 * state folder finishes the topic. Every image has exactly one committed embedding.
 */
class EmbedderCrashTest {

    static final EncoderSpec SPEC = EncoderSpec.of("resnet18", 3, 32);
    static final EmbedderSettings SETTINGS = new EmbedderSettings(4, Duration.ofMillis(50), false);
    /** Short enough that the group drops the killed member soon; the broker's minimum is 6 s. */
    static final Map<String, Object> OVERRIDES = Map.of("num.stream.threads", 1, "commit.interval.ms", 100,
            "consumer.session.timeout.ms", 6_000, "consumer.heartbeat.interval.ms", 1_000);
    private static final int IMAGES = 120;

    @TempDir
    Path dir;

    @Test
    void shouldEmbedEveryImageExactlyOnceWhenTheProcessIsKilledWithBatchesInFlight() throws Exception {
        try (KafkaPlatform platform = KafkaPlatform.builder().optPartitions(1).start()) {
            produce(platform);
            Path state = dir.resolve("state");
            Process child = new ProcessBuilder(javaBin(), "-cp", classPath(), Child.class.getName(), platform.bootstrapServers(),
                    platform.schemaRegistryUrl(), state.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                int seen = 0;
                // Killed once some embeddings are committed and most of the backlog is still to do.
                while ((seen = committed(platform).size()) < 12) {
                    assertThat(child.isAlive()).as("the child embedder runs; its log: %s", log()).isTrue();
                    assertThat(System.nanoTime()).as("the child embedded nothing in time; its log: %s", log()).isLessThan(deadline);
                    Thread.sleep(50);
                }
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(seen).as("killed mid-stream").isLessThan(IMAGES);
            } finally {
                child.destroyForcibly();
            }

            EncoderPool pool = new EncoderPool(() -> BatchEncoder.random(SPEC, 0, 1, Devices.choose("cpu")));
            try (EmbedderStream restarted = new EmbedderStream(platform, 0, pool, new Preprocessor(32, 3), SETTINGS, state, OVERRIDES)
                    .start()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (committed(platform).keySet().size() < IMAGES && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                }
                Map<String, Integer> counts = committed(platform);
                assertThat(counts).hasSize(IMAGES);
                assertThat(counts.values()).as("one committed embedding per image").allMatch(n -> n == 1);
            }
        }
    }

    private String log() throws IOException {
        Path f = dir.resolve("child.log");
        if (!Files.exists(f)) {
            return "(none)";
        }
        List<String> lines = Files.readAllLines(f);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Committed embeddings by image id, with how many each has. */
    private static Map<String, Integer> committed(KafkaPlatform platform) {
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        String topic = platform.topics().embeddings().name();
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    counts.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static void produce(KafkaPlatform platform) throws Exception {
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        var serializer = platform.topics().images().valueSerde().serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < IMAGES; i++) {
                String id = "img-" + i;
                ImageRecord r = ImageRecord.newBuilder().setId(id).setContentType("image/png").setFormat(ImageFormat.PICTURE)
                        .setOriginal(ByteBuffer.wrap(picture(i))).setWidth(40).setHeight(40).setSource("test").setSha256(id)
                        .setUploadTime(Instant.now()).setMetadata(Map.of()).build();
                producer.send(new ProducerRecord<>(platform.topics().images().name(), id.getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(platform.topics().images().name(), r)));
            }
            producer.flush();
        }
    }

    private static byte[] picture(int seed) throws IOException {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 40, 40);
        g.setColor(new Color(0x10203 * (seed + 1) & 0xFFFFFF));
        g.fillRect(seed % 25, (seed * 7) % 25, 12, 14);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return bytes.toByteArray();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Surefire runs tests from a manifest-only jar; it names the full class path separately. */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The embedder that gets killed: the same stream, in a process of its own. */
    static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws Exception {
            KafkaPlatform platform = KafkaPlatform.builder().optClientProperties(Map.of("bootstrap.servers", args[0]))
                    .optSerdeConfig(Map.of(EmbeddedSchemaRegistry.URL_CONFIG, args[1])).optCreateTopics(false).start();
            EncoderPool pool = new EncoderPool(() -> BatchEncoder.random(SPEC, 0, 1, Devices.choose("cpu")));
            new EmbedderStream(platform, 0, pool, new Preprocessor(32, 3), SETTINGS, Path.of(args[2]), OVERRIDES).start();
            // Runs until killed.
            Thread.currentThread().join();
        }
    }
}
