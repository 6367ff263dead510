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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.planstream.avro.DeadLetter;
import io.planstream.avro.Embedding;
import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.embedder.model.ForwardWorkers;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.testing.Await;
import io.planstream.simclr.Devices;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactInfo;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;

/**
 * The embedder against a real broker: images in, embeddings out; a poison record goes to the dead-letter
 * topic and the next record is still embedded; a corrupt artifact is refused while the running version
 * keeps working; a new version backfills every image and the old one retires.
 */
class EmbedderServiceTest {

    private static final int SIZE = 24;
    private static final EncoderSpec SPEC = EncoderSpec.of("resnet-mini", 3, SIZE);

    @TempDir
    static Path dir;

    private static KafkaPlatform platform;
    private static EmbedderService service;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() {
        platform = KafkaPlatform.builder().optPartitions(2).start();
        Map<String, Object> overrides = Map.of("commit.interval.ms", 100, "num.stream.threads", 1,
                "consumer.session.timeout.ms", 10_000);
        service = new EmbedderService(platform, new EmbedderService.Options(new EmbedderSettings(8, Duration.ofMillis(50), true),
                // Two single-threaded workers per stream thread: the CPU default on two cores.
                SPEC, 3, Devices.choose("cpu"), new ForwardWorkers(2, 1), dir.resolve("state"), overrides, 0, Duration.ofMillis(200),
                dir.resolve("artifacts"))).start();
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        producer.close();
        service.close();
        platform.close();
    }

    @Test
    void shouldEmbedEveryImageFollowNewVersionsAndRefuseACorruptArtifact() throws Exception {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            send("img-" + i, image("img-" + i, i));
            ids.add("img-" + i);
        }
        producer.send(new ProducerRecord<>("images", "poison".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 9, 1})).get();
        send("img-6", image("img-6", 6));
        ids.add("img-6");

        awaitTrue(() -> versionsById(0).keySet().containsAll(ids), "every image embedded by v0");
        List<Embedding> v0 = embeddings().stream().filter(e -> e.getModelVersion() == 0).toList();
        assertThat(v0).allSatisfy(e -> assertThat(e.getDimension()).isEqualTo(128));
        List<DeadLetter> dead = deadLetters();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getStage()).isEqualTo("deserialize");

        // A corrupt artifact: refused, counted, and version 0 keeps embedding new uploads.
        Path corrupt = artifact("v1");
        Files.write(corrupt.resolve(ModelArtifact.PARAMETERS), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        publish(1, corrupt, ModelArtifact.sha256Hex(corrupt.resolve(ModelArtifact.MANIFEST)));
        awaitTrue(() -> service.refusedArtifacts() == 1, "the corrupt artifact refused");
        assertThat(service.lastRefusal()).contains("version 1");
        send("img-7", image("img-7", 7));
        ids.add("img-7");
        awaitTrue(() -> versionsById(0).containsKey("img-7"), "v0 still embeds after the refusal");

        // A good version 2: it replays every image, then version 0 stops.
        Path good = artifact("v2");
        publish(2, good, ModelArtifact.sha256Hex(good.resolve(ModelArtifact.PARAMETERS)));
        awaitTrue(() -> versionsById(2).keySet().containsAll(ids), "the backfill of v2 covers every image");
        awaitTrue(() -> service.status().stream().allMatch(s -> s.version() == 2), "v0 retired");
        Map<String, Integer> v2Counts = new HashMap<>();
        embeddings().stream().filter(e -> e.getModelVersion() == 2).forEach(e -> v2Counts.merge(e.getImageId(), 1, Integer::sum));
        assertThat(v2Counts.values()).as("each image embedded once by v2").allMatch(c -> c == 1);
        assertThat(embeddings()).noneMatch(e -> e.getModelVersion() == 1);
    }

    private static void send(String id, ImageRecord r) throws Exception {
        byte[] value = platform.topics().images().valueSerde().serializer().serialize("images", r);
        producer.send(new ProducerRecord<>("images", id.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private static void publish(int version, Path artifactDir, String sha) throws Exception {
        var topic = platform.topics().models();
        ModelVersion v = ModelVersion.newBuilder().setVersion(version).setParent(null).setArchitecture(SPEC.name())
                .setDimension(128).setInputSize(SIZE).setArtifactUri(artifactDir.toUri().toString()).setArtifactSha256(sha)
                .setManifest(Map.of()).setMetrics(Map.of()).setState(ModelState.PUBLISHED)
                .setCreatedTime(Instant.now()).setPublisher("test").build();
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        try (KafkaProducer<String, ModelVersion> models = new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            models.send(new ProducerRecord<>(topic.name(), String.valueOf(version), v)).get();
        }
    }

    private static Path artifact(String name) throws IOException {
        Path out = dir.resolve("artifacts").resolve(name);
        SimClrEngine.get().setRandomSeed(name.hashCode());
        try (NDManager m = SimClrEngine.get().newBaseManager()) {
            SimClrModel model = SimClrModel.builder().setEncoder(SPEC).optHead(ProjectionHeadSpec.v1()).build();
            model.initialize(m, DataType.FLOAT32, SPEC.inputShape(1));
            ModelArtifact.save(out, model, new ArtifactInfo(name, null, Normalization.centred(3), "test", 0, Map.of()));
        }
        return out;
    }

    private static Map<String, Embedding> versionsById(int version) {
        Map<String, Embedding> out = new HashMap<>();
        embeddings().stream().filter(e -> e.getModelVersion() == version).forEach(e -> out.put(e.getImageId(), e));
        return out;
    }

    private static List<Embedding> embeddings() {
        List<Embedding> out = new ArrayList<>();
        readAll(platform.topics().embeddings().name(), platform.topics().embeddings().valueSerde().deserializer()::deserialize, out);
        return out;
    }

    private static List<DeadLetter> deadLetters() {
        List<DeadLetter> out = new ArrayList<>();
        readAll(platform.topics().deadLetters().name(), platform.topics().deadLetters().valueSerde().deserializer()::deserialize, out);
        return out;
    }

    private static <V> void readAll(String topic, java.util.function.BiFunction<String, byte[], V> decode, List<V> out) {
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (r.value() != null) {
                        out.add(decode.apply(topic, r.value()));
                    }
                }
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(120), condition, () -> "status " + service.status());
    }

    private static ImageRecord image(String id, int seed) throws IOException {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 40, 40);
        g.setColor(new Color(0x102030 * (seed + 1) & 0xFFFFFF));
        g.fillRect(seed * 3, 5, 12, 20);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return ImageRecord.newBuilder().setId(id).setContentType("image/png").setFormat(ImageFormat.PICTURE)
                .setOriginal(ByteBuffer.wrap(bytes.toByteArray())).setWidth(40).setHeight(40).setSource("test").setSha256(id)
                .setUploadTime(Instant.now()).setMetadata(Map.of()).build();
    }
}
