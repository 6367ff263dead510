package io.planstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.broker.EmbeddedKafka;
import io.planstream.schemas.serde.AvroDeserializer;
import io.planstream.schemas.serde.AvroSerializer;

/** What the embedded registry keeps when it, its broker, or its topic's compaction goes away and comes back. */
class EmbeddedSchemaRegistryRestartTest {

    private static final Schema PLAN = parse("{\"type\":\"record\",\"name\":\"Plan\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}");
    private static final Schema ROOM = parse("{\"type\":\"record\",\"name\":\"Room\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}");
    private static final Schema DOOR = parse("{\"type\":\"record\",\"name\":\"Door\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}");

    @TempDir
    Path dir;

    @Test
    void shouldKeepIdsVersionsAndLevelsAcrossARestartOfBrokerAndRegistry() {
        ImageRecord image = ImageRecord.newBuilder()
                .setId("plan-0100").setContentType("image/png").setFormat(ImageFormat.RPLAN)
                .setOriginal(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})).setWidth(256).setHeight(256)
                .setSource("cli").setSha256("00").setUploadTime(Instant.parse("2024-06-01T08:30:00Z"))
                .build();
        byte[] written;
        int planId;
        int imageId;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().setDataDir(dir).start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder().setBootstrapServers(kafka.bootstrapServers()).start()) {
            SchemaRegistryClient client = client(registry);
            written = new AvroSerializer<>(ImageRecord.class, client).serialize("images", image);
            imageId = client.getLatest("images-value").id();
            planId = client.register("plans-value", PLAN);
            client.setCompatibility("plans-value", "FULL");
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.builder().setDataDir(dir).start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder().setBootstrapServers(kafka.bootstrapServers()).start()) {
            SchemaRegistryClient client = client(registry);

            assertThat(new AvroDeserializer<>(ImageRecord.class, client).deserialize("images", written)).isEqualTo(image);
            assertThat(client.getLatest("images-value").id()).isEqualTo(imageId);
            assertThat(client.register("plans-value", PLAN)).as("same schema, same id").isEqualTo(planId);
            assertThat(client.versions("plans-value")).containsExactly(1);
            assertThat(client.compatibility("plans-value")).isEqualTo("FULL");
            assertThat(client.register("rooms-value", ROOM)).as("a new id, above every earlier one")
                    .isGreaterThan(Math.max(planId, imageId));
        }
    }

    @Test
    void shouldNeverReuseTheIdOfAPermanentlyDeletedSubjectAfterCompaction() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().temporary().start()) {
            int planId;
            int roomId;
            try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
                    .setBootstrapServers(kafka.bootstrapServers()).optTopic("schemas-before").start()) {
                SchemaRegistryClient client = client(registry);
                planId = client.register("plans-value", PLAN);
                roomId = client.register("rooms-value", ROOM);
                deleteSubject(registry, "rooms-value", false);
                deleteSubject(registry, "rooms-value", true);
            }
            // What the log cleaner leaves: the last value of every key, tombstones gone.
            copyCompacted(kafka, "schemas-before", "schemas-after");

            try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
                    .setBootstrapServers(kafka.bootstrapServers()).optTopic("schemas-after").start()) {
                SchemaRegistryClient client = client(registry);

                assertThat(client.getLatest("plans-value").id()).isEqualTo(planId);
                assertThatThrownBy(() -> client.getById(roomId)).isInstanceOf(SchemaRegistryException.class)
                        .hasMessageContaining("not found");
                assertThat(client.register("doors-value", DOOR)).isGreaterThan(roomId);
            }
        }
    }

    @Test
    void shouldRefuseToStartOnATopicWithARecordItCannotRead() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().temporary().start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("schemas-garbage", 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>("schemas-garbage", "not json".getBytes(StandardCharsets.UTF_8), new byte[] {1}))
                        .get(30, TimeUnit.SECONDS);
            }

            assertThatThrownBy(() -> EmbeddedSchemaRegistry.builder().setBootstrapServers(kafka.bootstrapServers())
                    .optTopic("schemas-garbage").start())
                    .hasMessageContaining("record at offset 0 of topic 'schemas-garbage' is not a registry record");
        }
    }

    private static SchemaRegistryClient client(EmbeddedSchemaRegistry registry) {
        return RestSchemaRegistryClient.builder().setUrls(registry.url()).build();
    }

    private static void deleteSubject(EmbeddedSchemaRegistry registry, String subject, boolean permanent) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(registry.url() + "/subjects/" + subject
                + (permanent ? "?permanent=true" : ""))).DELETE().timeout(Duration.ofSeconds(30)).build();
        var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static void copyCompacted(EmbeddedKafka kafka, String from, String to) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(from, 0);
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            long end = consumer.endOffsets(Set.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        Map<String, ConsumerRecord<byte[], byte[]>> last = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : all) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            last.remove(key);
            last.put(key, record);
        }
        assertThat(all).as("soft delete, tombstones and the highest id were all written").hasSizeGreaterThan(last.size());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(to, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (ConsumerRecord<byte[], byte[]> record : last.values().stream()
                    .sorted(Comparator.comparingLong(ConsumerRecord::offset)).toList()) {
                if (record.value() != null) {
                    producer.send(new ProducerRecord<>(to, 0, record.key(), record.value())).get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }
}
