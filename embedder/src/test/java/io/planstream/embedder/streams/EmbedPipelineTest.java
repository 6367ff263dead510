package io.planstream.embedder.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

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

import io.planstream.avro.Embedding;
import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.embedder.model.ForwardStats;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.Devices;
import io.planstream.simclr.data.Preprocessor;
import io.planstream.simclr.model.EncoderSpec;

/**
 * The forward pass on its own lane, off the stream thread (no broker; TopologyTestDriver is the stream
 * thread): records keep arriving while a batch runs, and finished batches are written on the stream
 * thread at the next record or tick.
 */
class EmbedPipelineTest {

    private static final int SIZE = 32;
    private static final Duration MAX_WAIT = Duration.ofMillis(100);
    private static KafkaPlatform platform;

    @BeforeAll
    static void start() {
        platform = KafkaPlatform.builder().optCreateTopics(false).start();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @Test
    void shouldKeepARecordThatArrivesWhileABatchRunsAndWriteEachOnce() throws Exception {
        Gate decoding = new Gate();
        try (EncoderPool pool = pool(); TopologyTestDriver driver = driver(pool, decoding, 2)) {
            TestInputTopic<byte[], byte[]> in = input(driver);
            in.pipeInput(key("a"), value("a", 1));
            // A full batch: handed to the lane, where it waits for its decoding behind the gate.
            in.pipeInput(key("b"), value("b", 2));
            in.pipeInput(key("c"), value("c", 3));
            assertThat(embeddings(driver).isEmpty()).isTrue();
            assertThat(driver.getKeyValueStore(EmbedderTopology.PENDING_STORE).approximateNumEntries()).isEqualTo(3);

            decoding.open();
            List<String> ids = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ids.size() < 3 && System.nanoTime() < deadline) {
                // Each tick writes what the lane finished; c, alone, goes out once it has waited T.
                driver.advanceWallClockTime(EmbedProcessor.tick(MAX_WAIT));
                embeddings(driver).readRecordsToList().forEach(r -> ids.add(r.key()));
                Thread.sleep(5);
            }
            assertThat(ids).containsExactly("a", "b", "c");
            assertThat(driver.getKeyValueStore(EmbedderTopology.PENDING_STORE).approximateNumEntries()).isZero();
        }
    }

    @Test
    void shouldHandALoneRecordToAnIdleEmbedderAtOnceAndWriteItAtTheTickAfterItsForwardPass() throws Exception {
        Duration tick = EmbedProcessor.tick(MAX_WAIT);
        try (EncoderPool pool = pool(); TopologyTestDriver driver = driver(pool, Runnable::run, 8)) {
            input(driver).pipeInput(key("lone"), value("lone", 4));
            // It found the embedder idle: handed to the lane at once, without any wall-clock time passing.
            // The driver's thread is the stream thread: its lane is the one the batch went to.
            awaitLane(pool);
            driver.advanceWallClockTime(tick);
            List<TestRecord<String, Embedding>> out = embeddings(driver).readRecordsToList();
            assertThat(out).extracting(TestRecord::key).containsExactly("lone");
            assertThat(out.get(0).value().getDimension()).isEqualTo(128);
        }
    }

    @Test
    void shouldGatherRecordsWhileTheWorkerIsBusyAndSendThemAsOneBatchOnceFull() throws Exception {
        Gate decoding = new Gate();
        List<BatchEncoder> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        ForwardStats stats = ForwardStats.process();
        long passes = stats.passes();
        long images = stats.images();
        double cpu = stats.cpuSeconds();
        try (EncoderPool pool = pool(made); TopologyTestDriver driver = driver(pool, decoding, 3)) {
            TestInputTopic<byte[], byte[]> in = input(driver);
            // "first" finds the embedder idle and goes at once, to wait for its decoding behind the gate.
            in.pipeInput(key("first"), value("first", 1));
            // The worker is busy: these wait, well within T, and leave together when B = 3 wait.
            in.pipeInput(key("x"), value("x", 2));
            in.pipeInput(key("y"), value("y", 3));
            assertThat(decoding.held()).isEqualTo(3);
            in.pipeInput(key("z"), value("z", 5));
            decoding.open();
            List<String> ids = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ids.size() < 4 && System.nanoTime() < deadline) {
                awaitLane(pool);
                driver.advanceWallClockTime(EmbedProcessor.tick(MAX_WAIT));
                embeddings(driver).readRecordsToList().forEach(r -> ids.add(r.key()));
            }
            assertThat(ids).containsExactly("first", "x", "y", "z");
            assertThat(driver.getKeyValueStore(EmbedderTopology.PENDING_STORE).approximateNumEntries()).isZero();
            // Two forward passes: "first" alone, then x, y and z together, not one each.
            assertThat(made.stream().mapToLong(BatchEncoder::batches).sum()).isEqualTo(2);
            // the process's totals, which the embedder role exports: 2 passes of 4 plans, and their threads' CPU
            assertThat(stats.passes() - passes).isEqualTo(2);
            assertThat(stats.images() - images).isEqualTo(4);
            assertThat(stats.cpuSeconds()).isGreaterThan(cpu);
        }
    }

    /** Waits until the batches handed to this thread's lane so far have run (the lane runs in order). */
    private static void awaitLane(EncoderPool pool) throws Exception {
        pool.forCurrentThread().submit(encoder -> encoder.version()).get(60, TimeUnit.SECONDS);
    }

    private static EncoderPool pool() {
        return pool(new java.util.concurrent.CopyOnWriteArrayList<>());
    }

    /** A pool whose encoders are also added to {@code made}, to count their forward passes. */
    private static EncoderPool pool(List<BatchEncoder> made) {
        EncoderSpec spec = EncoderSpec.of("resnet-mini", 3, SIZE);
        return new EncoderPool(() -> {
            BatchEncoder e = BatchEncoder.random(spec, 1, 7, Devices.choose("cpu"));
            made.add(e);
            return e;
        });
    }

    private static TopologyTestDriver driver(EncoderPool pool, Executor decoding, int batch) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "embedder-pipeline-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        var topology = EmbedderTopology.build(platform.topics(), pool, new Preprocessor(SIZE, 3),
                new EmbedderSettings(batch, MAX_WAIT, false), decoding);
        return new TopologyTestDriver(topology, p, Instant.ofEpochMilli(0));
    }

    /** Holds the decodings handed to it until opened, then runs them, and any later one at once. */
    private static final class Gate implements Executor {
        private final List<Runnable> held = new ArrayList<>();
        private boolean open;

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                if (!open) {
                    held.add(task);
                    return;
                }
            }
            task.run();
        }

        synchronized int held() {
            return held.size();
        }

        void open() {
            List<Runnable> release;
            synchronized (this) {
                open = true;
                release = new ArrayList<>(held);
                held.clear();
            }
            release.forEach(Runnable::run);
        }
    }

    private static TestInputTopic<byte[], byte[]> input(TopologyTestDriver d) {
        return d.createInputTopic(platform.topics().images().name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    private static TestOutputTopic<String, Embedding> embeddings(TopologyTestDriver d) {
        var t = platform.topics().embeddings();
        return d.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(String id, int seed) throws IOException {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 40, 40);
        g.setColor(new Color(0x203040 * seed & 0xFFFFFF));
        g.fillRect(seed * 4, 6, 14, 18);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        ImageRecord r = ImageRecord.newBuilder().setId(id).setContentType("image/png").setFormat(ImageFormat.PICTURE)
                .setOriginal(ByteBuffer.wrap(bytes.toByteArray())).setWidth(40).setHeight(40).setSource("test").setSha256(id)
                .setUploadTime(Instant.ofEpochMilli(1000)).setMetadata(Map.of()).build();
        return platform.topics().images().valueSerde().serializer().serialize(platform.topics().images().name(), r);
    }
}
