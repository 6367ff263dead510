package io.planstream.embedder.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.imageio.ImageIO;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.planstream.avro.DeadLetter;
import io.planstream.avro.Embedding;
import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.Devices;
import io.planstream.simclr.data.Preprocessor;
import io.planstream.simclr.model.EncoderSpec;

/** The topology without a broker (the schema registry is real): batching, symmetries, dead letters, tombstones. */
class EmbedderTopologyTest {

    private static final int SIZE = 32;
    private static KafkaPlatform platform;
    private static EncoderPool encoders;

    @BeforeAll
    static void start() {
        platform = KafkaPlatform.builder().optCreateTopics(false).start();
        EncoderSpec spec = EncoderSpec.of("resnet-mini", 3, SIZE);
        encoders = EncoderPool.inline(() -> BatchEncoder.random(spec, 1, 7, Devices.choose("cpu")));
    }

    @AfterAll
    static void stop() {
        encoders.close();
        platform.close();
    }

    @Test
    void shouldEmbedInBatchesAndSendPoisonRecordsToTheDeadLetterTopic() throws IOException {
        try (TopologyTestDriver driver = driver(4)) {
            TestInputTopic<byte[], byte[]> in = input(driver);
            byte[][] pictures = {drawing(1, 0), drawing(2, 0), drawing(3, 0)};
            in.pipeInput(key("a"), value(record("a", pictures[0])));
            in.pipeInput(key("b"), value(record("b", pictures[1])));
            in.pipeInput(key("poison"), "not avro at all".getBytes(StandardCharsets.UTF_8));
            // Not yet a full batch of 4: nothing out, the three wait in the store.
            assertThat(embeddings(driver).isEmpty()).isTrue();
            assertThat(count(driver.getKeyValueStore(EmbedderTopology.PENDING_STORE).approximateNumEntries())).isEqualTo(3);
            in.pipeInput(key("garbage"), value(record("garbage", "GIF89a but not really".getBytes(StandardCharsets.UTF_8))));

            List<TestRecord<String, Embedding>> out = embeddings(driver).readRecordsToList();
            assertThat(out).extracting(TestRecord::key).containsExactly("a", "b");
            for (TestRecord<String, Embedding> r : out) {
                assertThat(r.value().getModelVersion()).isEqualTo(1);
                assertThat(r.value().getDimension()).isEqualTo(128).isEqualTo(r.value().getVector().size());
                assertThat(norm(r.value().getVector())).isCloseTo(1.0, within(1e-4));
            }
            List<TestRecord<byte[], DeadLetter>> dead = deadLetters(driver).readRecordsToList();
            assertThat(dead).extracting(r -> r.value().getStage()).containsExactly("deserialize", "decode");
            assertThat(dead.get(0).value().getReason()).isNotBlank();
            assertThat(dead.get(1).value().getOffset()).isEqualTo(3);
            assertThat(count(driver.getKeyValueStore(EmbedderTopology.PENDING_STORE).approximateNumEntries())).isZero();

            // A lone record is embedded once it has waited T, and the stream went on after the poison.
            in.pipeInput(key("c"), value(record("c", pictures[2])));
            assertThat(embeddings(driver).isEmpty()).isTrue();
            driver.advanceWallClockTime(Duration.ofMillis(200));
            assertThat(embeddings(driver).readRecordsToList()).extracting(TestRecord::key).containsExactly("c");
        }
    }

    @Test
    void shouldGiveARotatedOrMirroredPlanTheSameEmbedding() throws IOException {
        try (TopologyTestDriver driver = driver(3)) {
            TestInputTopic<byte[], byte[]> in = input(driver);
            in.pipeInput(key("plan"), value(record("plan", drawing(5, 0))));
            in.pipeInput(key("turned"), value(record("turned", drawing(5, 1))));
            in.pipeInput(key("other"), value(record("other", drawing(9, 0))));
            Map<String, Embedding> out = embeddings(driver).readKeyValuesToMap();
            double same = dot(out.get("plan").getVector(), out.get("turned").getVector());
            double other = dot(out.get("plan").getVector(), out.get("other").getVector());
            assertThat(same).isGreaterThan(0.9999);
            assertThat(other).isLessThan(same - 1e-4);
        }
    }

    @Test
    void shouldPassATombstoneOnSoTheIndexDeletesTheImage() {
        try (TopologyTestDriver driver = driver(1)) {
            input(driver).pipeInput(key("gone"), (byte[]) null);
            TestRecord<String, Embedding> r = embeddings(driver).readRecord();
            assertThat(r.key()).isEqualTo("gone");
            assertThat(r.value()).isNull();
        }
    }

    private static TopologyTestDriver driver(int batch) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "embedder-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        var topology = EmbedderTopology.build(platform.topics(), encoders, new Preprocessor(SIZE, 3),
                new EmbedderSettings(batch, Duration.ofMillis(100), true), Runnable::run);
        return new TopologyTestDriver(topology, p, Instant.ofEpochMilli(0));
    }

    private static TestInputTopic<byte[], byte[]> input(TopologyTestDriver d) {
        return d.createInputTopic(platform.topics().images().name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    private static TestOutputTopic<String, Embedding> embeddings(TopologyTestDriver d) {
        var t = platform.topics().embeddings();
        return d.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
    }

    private static TestOutputTopic<byte[], DeadLetter> deadLetters(TopologyTestDriver d) {
        var t = platform.topics().deadLetters();
        return d.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(ImageRecord r) {
        return platform.topics().images().valueSerde().serializer().serialize(platform.topics().images().name(), r);
    }

    private static ImageRecord record(String id, byte[] picture) {
        return ImageRecord.newBuilder().setId(id).setContentType("image/png").setFormat(ImageFormat.PICTURE)
                .setOriginal(ByteBuffer.wrap(picture)).setWidth(48).setHeight(48).setSource("test").setSha256(id)
                .setUploadTime(Instant.ofEpochMilli(1000)).setMetadata(Map.of()).build();
    }

    /** An asymmetric plan-like drawing; {@code quarterTurns} rotates it by 90 degrees. */
    private static byte[] drawing(int seed, int quarterTurns) throws IOException {
        BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 48, 48);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < 5; i++) {
            g.setColor(new Color(r.nextInt(0xFFFFFF)));
            g.fillRect(r.nextInt(30), r.nextInt(30), 4 + r.nextInt(18), 4 + r.nextInt(18));
        }
        g.dispose();
        BufferedImage out = img;
        for (int t = 0; t < quarterTurns; t++) {
            BufferedImage rot = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 48; x++) {
                    rot.setRGB(47 - y, x, out.getRGB(x, y));
                }
            }
            out = rot;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(out, "png", bytes);
        return bytes.toByteArray();
    }

    private static double norm(List<Float> v) {
        return Math.sqrt(dot(v, v));
    }

    private static double dot(List<Float> a, List<Float> b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += a.get(i) * b.get(i);
        }
        return s;
    }

    private static long count(long n) {
        return n;
    }
}
