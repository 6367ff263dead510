package io.planstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ArtifactChunk;
import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Topic;
import io.planstream.platform.Topics;
import io.planstream.simclr.artifact.ModelArtifact;

/** Publishing and fetching artifacts through a real embedded broker and registry, shared by the tests of this class. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelPublisherTest {

    private static final int CHUNK_BYTES = 256 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static KafkaPlatform platform;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPlatform() {
        platform = KafkaPlatform.builder().optPartitions(1).start();
    }

    @AfterAll
    static void stopPlatform() {
        platform.close();
    }

    @Test
    @Order(1) // first, on an empty models topic, so that it sees versions 1 and 2 issued
    void shouldRoundTripAnArtifactAndIssueConsecutiveVersions() throws IOException {
        Path artifact = artifact("round-trip", 1_500_000, 11);
        ModelVersion template = template("trainer-a");

        ModelVersion first;
        ModelVersion second;
        try (ModelPublisher publisher = publisher("round-trip")) {
            first = publisher.publish(artifact, template);
            second = publisher.publish(artifact, template);
        }

        assertThat(first.getVersion()).isEqualTo(1);
        assertThat(second.getVersion()).isEqualTo(2);
        ModelVersion read = ModelLog.readAll(platform, TIMEOUT).get(1);
        assertThat(read).isEqualTo(first);
        assertThat(read.getArtifactUri()).startsWith("kafka://model-artifacts/0/").endsWith("?version=1");
        assertThat(ModelVersion.newBuilder(read).setVersion(0).setArtifactUri("").build()).isEqualTo(template);

        Path fetched = fetcher().fetch(URI.create(read.getArtifactUri()), tmp.resolve("cache"));

        assertThat(fetched).isEqualTo(tmp.resolve("cache/v1"));
        assertSameFiles(artifact, fetched);
        assertThat(fetched.resolve(ArtifactFetcher.HASH_LIST_FILE)).content()
                .contains(ModelArtifact.sha256Hex(artifact.resolve("parameters.djl")) + "  parameters.djl");
    }

    @Test
    void shouldReuseTheCacheAndFetchATamperedFileAgain() throws IOException {
        Path artifact = artifact("cached", 300_000, 12);
        URI uri = URI.create(publishOnce(artifact, "cached").getArtifactUri());
        Path cache = tmp.resolve("cache");
        ArtifactFetcher fetcher = fetcher();
        Path fetched = fetcher.fetch(uri, cache);
        Path params = fetched.resolve("parameters.djl");
        // A fetch writes files anew: an old modification time shows that a file was left as it was.
        FileTime old = FileTime.from(Instant.ofEpochSecond(1_000_000_000L));
        Files.setLastModifiedTime(params, old);

        assertThat(fetcher.fetch(uri, cache)).isEqualTo(fetched);
        assertThat(Files.getLastModifiedTime(params)).as("a sound copy is reused, not rewritten").isEqualTo(old);

        byte[] damaged = Files.readAllBytes(params);
        damaged[1000] ^= 1;
        Files.write(params, damaged);
        Files.setLastModifiedTime(params, old);

        assertThat(fetcher.fetch(uri, cache)).isEqualTo(fetched);
        assertSameFiles(artifact, fetched);
        assertThat(Files.getLastModifiedTime(params)).as("a damaged copy is fetched again").isNotEqualTo(old);
        assertThat(leftovers(cache)).isEmpty();
    }

    @Test
    void shouldFenceAnOlderPublisherWithTheSameTransactionalId() throws IOException {
        Path artifact = artifact("fenced", 50_000, 13);
        try (ModelPublisher older = publisher("trainers"); ModelPublisher newer = publisher("trainers")) {
            int before = highestVersion();

            assertThatThrownBy(() -> older.publish(artifact, template("trainer-old")))
                    .isInstanceOf(PublisherFencedException.class)
                    .hasMessageContaining("'trainers'")
                    .hasMessageContaining("another publisher with the same transactional id took over");
            assertThat(highestVersion()).isEqualTo(before);
            assertThat(visibleChunks(before + 1)).isEmpty();
            assertThatThrownBy(() -> older.setStates(Map.of(before, ModelState.RETIRED)))
                    .isInstanceOf(PublisherFencedException.class);

            ModelVersion published = newer.publish(artifact, template("trainer-new"));

            assertThat(published.getVersion()).isEqualTo(before + 1);
            assertThat(ModelLog.readAll(platform, TIMEOUT).get(before + 1).getPublisher()).isEqualTo("trainer-new");
        }
    }

    @Test
    void shouldRefuseABadArtifactOrTemplateBeforeSendingAnything() throws IOException {
        Path artifact = artifact("refused", 50_000, 14);
        Files.createDirectory(artifact.resolve("extra"));
        ModelVersion incomplete = new ModelVersion();
        incomplete.setVersion(0);
        incomplete.setArtifactUri("");
        incomplete.setDimension(128);
        try (ModelPublisher publisher = publisher("refused")) {
            int before = highestVersion();

            assertThatThrownBy(() -> publisher.publish(artifact, template("trainer-r")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("contains the subdirectory 'extra'");
            Files.delete(artifact.resolve("extra"));
            assertThatThrownBy(() -> publisher.publish(artifact, incomplete))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("template cannot be published")
                    .hasMessageContaining("architecture");

            assertThat(highestVersion()).isEqualTo(before);
            assertThat(visibleChunks(before + 1)).isEmpty();
        }
    }

    @Test
    void shouldAbortAPublishTheBrokerRefusesAndLeaveNothingVisible() throws IOException {
        Path artifact = artifact("aborted", 600_000, 15);
        // The chunks go through, then the models topic (1 MiB records) refuses the version's record.
        ModelVersion tooLarge = ModelVersion.newBuilder(template("trainer-x"))
                .setManifest(Map.of("padding", "x".repeat(1_500_000))).build();
        try (ModelPublisher publisher = publisher("aborted")) {
            int before = highestVersion();

            assertThatThrownBy(() -> publisher.publish(artifact, tooLarge))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("publishing model version " + (before + 1) + " failed, and its transaction was aborted");

            assertThat(highestVersion()).isEqualTo(before);
            assertThat(visibleChunks(before + 1)).isEmpty();

            ModelVersion next = publisher.publish(artifact, template("trainer-x"));
            assertThat(next.getVersion()).as("the publisher stays usable after an abort").isEqualTo(before + 1);
            assertThat(visibleChunks(before + 1)).extracting(ArtifactChunks::key).containsExactly(
                    "v" + (before + 1) + "/manifest.json/0", "v" + (before + 1) + "/parameters.djl/0",
                    "v" + (before + 1) + "/parameters.djl/1", "v" + (before + 1) + "/parameters.djl/2");
        }
    }

    @Test
    void shouldSetStatesOfKnownVersionsInOneGoAndRefuseUnknownOnes() throws IOException {
        Path artifact = artifact("states", 10_000, 16);
        try (ModelPublisher publisher = publisher("states")) {
            int a = publisher.publish(artifact, template("trainer-s")).getVersion();
            int b = publisher.publish(artifact, template("trainer-s")).getVersion();

            assertThatThrownBy(() -> publisher.setStates(Map.of(a, ModelState.RETIRED, 999, ModelState.PINNED)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no model version [999]");
            assertThat(ModelLog.readAll(platform, TIMEOUT).get(a).getState()).isEqualTo(ModelState.PUBLISHED);

            List<ModelVersion> updated = publisher.setStates(Map.of(b, ModelState.REJECTED, a, ModelState.PINNED));

            assertThat(updated).extracting(ModelVersion::getVersion).containsExactly(a, b);
            TreeMap<Integer, ModelVersion> log = ModelLog.readAll(platform, TIMEOUT);
            assertThat(log.get(a).getState()).isEqualTo(ModelState.PINNED);
            assertThat(log.get(b).getState()).isEqualTo(ModelState.REJECTED);
            assertThat(log.get(a).getArtifactUri()).isEqualTo(updated.get(0).getArtifactUri());
            assertThat(ModelTarget.select(log)).hasValue(a);
        }
    }

    @Test
    void shouldFailToFetchAUriWithoutChunksOfItsVersion() throws IOException {
        Path artifact = artifact("elsewhere", 10_000, 17);
        ModelVersion other = publishOnce(artifact, "elsewhere");
        ArtifactUri real = ArtifactUri.parse(other.getArtifactUri());
        URI wrongVersion = new ArtifactUri(real.topic(), real.partition(), real.firstOffset(), 999).toUri();
        URI pastTheEnd = new ArtifactUri(real.topic(), real.partition(), 1_000_000, 999).toUri();
        Path cache = tmp.resolve("cache");
        ArtifactFetcher fetcher = new ArtifactFetcher(platform, Duration.ofSeconds(10));

        long start = System.nanoTime();
        assertThatThrownBy(() -> fetcher.fetch(wrongVersion, cache))
                .isInstanceOf(ArtifactFetchException.class)
                .hasMessageContaining("model version 999 from " + wrongVersion)
                .hasMessageContaining("is a chunk of version " + other.getVersion() + ", not of version 999");
        assertThatThrownBy(() -> fetcher.fetch(pastTheEnd, cache))
                .isInstanceOf(ArtifactFetchException.class)
                .hasMessageContaining("model version 999 from " + pastTheEnd)
                .hasMessageContaining("so there is nothing at offset 1000000");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

        assertThatThrownBy(() -> fetcher.fetch(URI.create("kafka://images/0/0?version=1"), cache))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("artifacts are fetched from 'model-artifacts'");
        assertThat(cache.resolve("v999")).doesNotExist();
        assertThat(leftovers(cache)).isEmpty();
    }

    @Test
    void shouldWaitForChunksWhoseTransactionIsStillOpenAndSkipOtherVersions() throws Exception {
        Path artifact = artifact("pending", 600_000, 18);
        List<ArtifactChunk> chunks = new ArrayList<>();
        ArtifactChunks.split(artifact, 1000, CHUNK_BYTES, chunks::add);
        List<ArtifactChunk> other = new ArrayList<>();
        ArtifactChunks.split(artifact, 1001, CHUNK_BYTES, other::add);
        Topic<String, ArtifactChunk> topic = platform.topics().artifacts();
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pending-raw");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.ARTIFACT_MAX_MESSAGE_BYTES);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            long first = -1;
            for (int i = 0; i < chunks.size(); i++) {
                RecordMetadata m = producer.send(record(topic, chunks.get(i))).get();
                first = first < 0 ? m.offset() : first;
                if (i == 0) {
                    producer.send(record(topic, other.get(0))).get(); // another version's chunk in between
                }
            }
            URI uri = new ArtifactUri(topic.name(), 0, first, 1000).toUri();
            CompletableFuture<Path> fetch = CompletableFuture.supplyAsync(() -> {
                try {
                    return fetcher().fetch(uri, tmp.resolve("cache"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            Thread.sleep(1000);
            assertThat(fetch).as("a fetch waits for chunks not committed yet").isNotDone();
            producer.commitTransaction();

            assertSameFiles(artifact, fetch.get(30, TimeUnit.SECONDS));
        }
    }

    private static ProducerRecord<byte[], byte[]> record(Topic<String, ArtifactChunk> topic, ArtifactChunk chunk) {
        return new ProducerRecord<>(topic.name(), 0, topic.keySerde().serializer().serialize(topic.name(), ArtifactChunks.key(chunk)),
                topic.valueSerde().serializer().serialize(topic.name(), chunk));
    }

    private static ModelPublisher publisher(String transactionalId) {
        return new ModelPublisher(platform, transactionalId, CHUNK_BYTES, TIMEOUT);
    }

    /** Publishes {@code artifact} with a publisher of its own, closed at once. */
    private static ModelVersion publishOnce(Path artifact, String transactionalId) throws IOException {
        try (ModelPublisher publisher = publisher(transactionalId)) {
            return publisher.publish(artifact, template(transactionalId));
        }
    }

    private static ArtifactFetcher fetcher() {
        return new ArtifactFetcher(platform, TIMEOUT);
    }

    /** A seeded random parameters file of {@code size} bytes and a small manifest. */
    private Path artifact(String name, int size, long seed) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.write(dir.resolve("parameters.djl"), ArtifactChunksTest.random(size, seed));
        Files.writeString(dir.resolve("manifest.json"), "{\"encoder\":\"resnet18\",\"input_size\":64}");
        return dir;
    }

    private static ModelVersion template(String publisher) {
        return ModelVersion.newBuilder()
                .setVersion(0).setArtifactUri("")
                .setParent(null).setArchitecture("resnet18").setDimension(128).setInputSize(64)
                .setArtifactSha256("ab".repeat(32))
                .setManifest(Map.of("encoder", "resnet18", "input_size", "64"))
                .setMetrics(Map.of("loss", 1.25, "knn_top1", 0.5))
                .setCreatedTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setPublisher(publisher)
                .build();
    }

    private static int highestVersion() {
        TreeMap<Integer, ModelVersion> all = ModelLog.readAll(platform, TIMEOUT);
        return all.isEmpty() ? 0 : all.lastKey();
    }

    /** Chunks of {@code version} that a read_committed reader sees anywhere on the chunk topic. */
    private static List<ArtifactChunk> visibleChunks(int version) {
        Topic<String, ArtifactChunk> topic = platform.topics().artifacts();
        Map<String, Object> p = new HashMap<>(ModelLog.readCommitted(platform));
        List<ArtifactChunk> out = new ArrayList<>();
        try (KafkaConsumer<String, ArtifactChunk> c = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            TopicPartition tp = new TopicPartition(topic.name(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (c.position(tp) < end) {
                assertThat(System.nanoTime()).as("chunk topic read to its end in time").isLessThan(deadline);
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value().getVersion() == version) {
                        out.add(r.value());
                    }
                });
            }
        }
        return out;
    }

    private static void assertSameFiles(Path expected, Path actual) throws IOException {
        try (Stream<Path> files = Files.list(expected)) {
            for (Path file : files.toList()) {
                assertThat(actual.resolve(file.getFileName().toString())).hasSameBinaryContentAs(file);
            }
        }
    }

    /** Temporary fetch directories left in the cache root. */
    private static List<Path> leftovers(Path cache) throws IOException {
        try (Stream<Path> entries = Files.list(cache)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }
}
