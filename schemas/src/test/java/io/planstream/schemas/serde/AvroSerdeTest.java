package io.planstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.planstream.avro.Embedding;
import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.schemas.registry.RegistryFixture;
import io.planstream.schemas.registry.RestSchemaRegistryClient;
import io.planstream.schemas.registry.SchemaRegistryClient;
import io.planstream.schemas.registry.SchemaRegistryException;

/** The Confluent-wire Avro serde against the embedded registry: framing, round trips, refusals. */
class AvroSerdeTest {

    private static RegistryFixture fixture;
    private static SchemaRegistryClient client;

    @BeforeAll
    static void start() {
        fixture = RegistryFixture.start();
        client = fixture.client();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static ImageRecord image(String id) {
        return ImageRecord.newBuilder()
                .setId(id)
                .setContentType("image/png")
                .setFormat(ImageFormat.PICTURE)
                .setOriginal(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13}))
                .setWidth(256)
                .setHeight(192)
                .setSource("test")
                .setFilename(id + ".png")
                .setSha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .setUploadTime(Instant.parse("2024-05-01T12:00:00Z"))
                .setMetadata(Map.of("rooms.bedroom", "3", "rooms.bathroom", "1"))
                .build();
    }

    static Embedding embedding() {
        return Embedding.newBuilder()
                .setImageId("plan-0001")
                .setModelVersion(3)
                .setVector(List.of(0.6f, 0.8f, 0.0f))
                .setDimension(3)
                .setEmbedTime(Instant.parse("2024-05-01T12:00:01.250Z"))
                .setUploadTime(Instant.parse("2024-05-01T12:00:00Z"))
                .build();
    }

    private static Map<String, Object> config() {
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", fixture.registry().url());
        return config;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> AvroSerde<T> serde(Class<T> type, Map<String, Object> config, boolean isKey) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(config, isKey);
        return serde;
    }

    @Test
    void shouldFrameAnImageRecordWithMagicByteAndRegisteredIdAndReadItBack() throws IOException {
        AvroSerde<ImageRecord> serde = serde(ImageRecord.class, config(), false);
        ImageRecord record = image("plan-0001");

        byte[] bytes = serde.serializer().serialize("images", record);

        int id = client.getLatest("images-value").id();
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBinary(record));
        GenericRecord generic = new GenericDatumReader<GenericRecord>(ImageRecord.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertThat(generic.get("id")).hasToString("plan-0001");
        assertThat(generic.get("uploadTime")).isEqualTo(Instant.parse("2024-05-01T12:00:00Z").toEpochMilli());
        assertThat(serde.deserializer().deserialize("images", bytes)).isEqualTo(record);
    }

    @Test
    void shouldWriteExactlyTheConfluentBytesForASmallRecord() {
        AvroSerializer<PlanV1> serializer = new AvroSerializer<>(PlanV1.class, client);

        byte[] bytes = serializer.serialize("exact", new PlanV1("p", 3));

        int id = client.getLatest("exact-value").id();
        // magic 0, id big-endian, then Avro: string "p" (zig-zag length 1 = 0x02, 'p'), int 3 (zig-zag 0x06).
        assertThat(bytes).containsExactly(0, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff, 0x02, 'p', 0x06);
    }

    @Test
    void shouldRoundTripAnEmbeddingWithItsVectorAndTimes() {
        AvroSerde<Embedding> serde = serde(Embedding.class, config(), false);

        byte[] bytes = serde.serializer().serialize("embeddings", embedding());
        Embedding back = serde.deserializer().deserialize("embeddings", bytes);

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(client.getLatest("embeddings-value").id());
        assertThat(back).isEqualTo(embedding());
        assertThat(back.getVector()).containsExactly(0.6f, 0.8f, 0.0f);
        assertThat(back.getEmbedTime()).isEqualTo(Instant.parse("2024-05-01T12:00:01.250Z"));
    }

    @Test
    void shouldRegisterKeysUnderTheKeySubject() {
        AvroSerde<Embedding> serde = serde(Embedding.class, config(), true);

        byte[] bytes = serde.serializer().serialize("keyed", embedding());

        assertThat(client.versions("keyed-key")).containsExactly(1);
        assertThat(client.versions("keyed-value")).isEmpty();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(client.getLatest("keyed-key").id());
    }

    @Test
    void shouldWriteAndReadATombstoneAsNull() {
        AvroSerde<ImageRecord> serde = serde(ImageRecord.class, config(), false);

        assertThat(serde.serializer().serialize("images", null)).isNull();
        assertThat(serde.deserializer().deserialize("images", null)).isNull();
    }

    @Test
    void shouldRefuseAWrongMagicByteNamingTheTopicAndTheByte() {
        AvroSerde<ImageRecord> serde = serde(ImageRecord.class, config(), false);
        byte[] bytes = serde.serializer().serialize("images", image("plan-0002"));
        bytes[0] = 0x7b;

        assertThatThrownBy(() -> serde.deserializer().deserialize("images", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessage("cannot deserialize ImageRecord from topic 'images': unknown magic byte 0x7b (expected 0x00):"
                        + " not Confluent-wire Avro; no schema id");
    }

    @Test
    void shouldRefuseAnUnknownSchemaIdNamingIt() {
        AvroSerde<ImageRecord> serde = serde(ImageRecord.class, config(), false);
        byte[] bytes = serde.serializer().serialize("images", image("plan-0003"));
        ByteBuffer.wrap(bytes).putInt(1, 99_999);

        assertThatThrownBy(() -> serde.deserializer().deserialize("images", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot deserialize ImageRecord from topic 'images': unknown schema id 99999 (")
                .hasMessageContaining("Schema 99999 not found");
    }

    @Test
    void shouldRefuseATruncatedPayloadNamingTheSchemaId() {
        AvroSerde<ImageRecord> serde = serde(ImageRecord.class, config(), false);
        byte[] bytes = serde.serializer().serialize("images", image("plan-0004"));
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 20);

        assertThatThrownBy(() -> serde.deserializer().deserialize("images", truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot deserialize ImageRecord from topic 'images': payload of " + (truncated.length - 5)
                        + " bytes is truncated or corrupt (")
                .hasMessageEndingWith("); schema id " + id);
    }

    @Test
    void shouldRefuseALengthLongerThanThePayloadInsteadOfAllocatingIt() {
        AvroSerde<Embedding> serde = serde(Embedding.class, config(), false);
        byte[] header = Arrays.copyOf(serde.serializer().serialize("embeddings", embedding()), 5);
        // Zig-zag varint 0xFE 0xFF 0xFF 0xFF 0x07 is 1073741823: a gigabyte asked for by a few bytes.
        byte[] hugeString = concat(header, new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 'a'});
        byte[] hugeArray = concat(header, new byte[] {0x02, 'a', 0x02, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07});

        assertThatThrownBy(() -> serde.deserializer().deserialize("embeddings", hugeString))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("string of 1073741823 bytes declared with 1 bytes left");
        assertThatThrownBy(() -> serde.deserializer().deserialize("embeddings", hugeArray))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("array block of 1073741823 items declared with 0 bytes left");
    }

    @Test
    void shouldRefuseBytesTooShortForTheHeader() {
        AvroSerde<ImageRecord> serde = serde(ImageRecord.class, config(), false);

        assertThatThrownBy(() -> serde.deserializer().deserialize("images", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot deserialize ImageRecord from topic 'images': 3 bytes are too short");
        assertThatThrownBy(() -> serde.deserializer().deserialize("images", new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("0 bytes are too short");
    }

    @Test
    void shouldRefuseAPayloadThatWasWrittenWithAnotherSchemaThanItsId() {
        AvroSerde<ImageRecord> images = serde(ImageRecord.class, config(), false);
        AvroSerde<Embedding> embeddings = serde(Embedding.class, config(), false);
        byte[] embedding = embeddings.serializer().serialize("embeddings", embedding());
        byte[] image = images.serializer().serialize("images", image("plan-0005"));
        int imageId = ByteBuffer.wrap(image, 1, 4).getInt();
        // An Embedding payload under the ImageRecord id: the header lies about the writer schema.
        System.arraycopy(image, 1, embedding, 1, 4);

        assertThatThrownBy(() -> images.deserializer().deserialize("images", embedding))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot deserialize ImageRecord from topic 'images': ")
                .hasMessageContaining("schema id " + imageId);
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaAsASerializationExceptionWithTheRegistryReason() {
        new AvroSerializer<>(Embedding.class, client).serialize("mixed", embedding());
        AvroSerializer<ImageRecord> second = new AvroSerializer<>(ImageRecord.class, client);

        assertThatThrownBy(() -> second.serialize("mixed", image("plan-0006")))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot serialize ImageRecord for topic 'mixed': schema for subject 'mixed-value'"
                        + " is incompatible with version 1 under BACKWARD: ")
                .hasMessageContaining("NAME_MISMATCH")
                .cause().isInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void shouldRaiseARegistryOutageAsSchemaRegistryExceptionNotAsABadRecord() throws IOException {
        byte[] bytes = new AvroSerializer<>(ImageRecord.class, client).serialize("outage", image("plan-0007"));
        String dead = "http://127.0.0.1:" + closedPort();
        AvroDeserializer<ImageRecord> deserializer = new AvroDeserializer<>(ImageRecord.class,
                RestSchemaRegistryClient.builder().setUrls(dead).build());
        AvroSerializer<ImageRecord> serializer = new AvroSerializer<>(ImageRecord.class,
                RestSchemaRegistryClient.builder().setUrls(dead).build());

        assertThatThrownBy(() -> deserializer.deserialize("outage", bytes))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("unreachable")
                .hasMessageContaining(dead);
        assertThatThrownBy(() -> serializer.serialize("outage", image("plan-0007")))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(dead);
    }

    @Test
    void shouldRequireTheRegistryUrlAndCheckTheSettingsItKnows() {
        assertThatThrownBy(() -> new AvroSerde<>(ImageRecord.class).configure(Map.of("bootstrap.servers", "x:9092"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("schema.registry.url is required");
        assertThatThrownBy(() -> new AvroSerde<>(ImageRecord.class).configure(Map.of(
                "schema.registry.url", "http://r:8081", "auto.register.schemas", "yes"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auto.register.schemas")
                .hasMessageContaining("must be true or false");
        assertThatThrownBy(() -> new AvroSerde<>(ImageRecord.class).configure(Map.of(
                "schema.registry.url", "http://r:8081",
                "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("only TopicNameStrategy");
        assertThatThrownBy(() -> new AvroSerializer<>(ImageRecord.class).serialize("images", image("x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not configured");
    }

    @Test
    void shouldRoundTripThroughAKafkaTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", fixture.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("images-through-kafka", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties producerProperties = new Properties();
        producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka().bootstrapServers());
        AvroSerializer<ImageRecord> serializer = new AvroSerializer<>(ImageRecord.class);
        serializer.configure(config(), false);
        try (KafkaProducer<String, ImageRecord> producer = new KafkaProducer<>(producerProperties, new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>("images-through-kafka", "plan-0010", image("plan-0010"))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>("images-through-kafka", "plan-0010", null)).get(30, TimeUnit.SECONDS);
        }

        Properties consumerProperties = new Properties();
        consumerProperties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka().bootstrapServers());
        AvroDeserializer<ImageRecord> deserializer = new AvroDeserializer<>(ImageRecord.class);
        deserializer.configure(config(), false);
        List<ConsumerRecord<String, ImageRecord>> records = new ArrayList<>();
        try (KafkaConsumer<String, ImageRecord> consumer = new KafkaConsumer<>(consumerProperties, new StringDeserializer(), deserializer)) {
            TopicPartition partition = new TopicPartition("images-through-kafka", 0);
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < 2 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }

        assertThat(records).hasSize(2);
        assertThat(records.get(0).value()).isEqualTo(image("plan-0010"));
        assertThat(records.get(1).value()).as("a tombstone").isNull();
    }

    @Test
    void shouldSerializeAndDeserializeFromManyThreadsWithOneInstance() throws Exception {
        AvroSerde<ImageRecord> serde = serde(ImageRecord.class, config(), false);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                tasks.add(() -> {
                    int matched = 0;
                    for (int i = 0; i < 100; i++) {
                        ImageRecord record = image("plan-" + thread + "-" + i);
                        String topic = "parallel-" + (i % 3);
                        if (serde.deserializer().deserialize(topic, serde.serializer().serialize(topic, record)).equals(record)) {
                            matched++;
                        }
                    }
                    return matched;
                });
            }
            int matched = 0;
            for (Future<Integer> result : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
                matched += result.get();
            }
            assertThat(matched).isEqualTo(800);
            assertThat(client.getLatest("parallel-0-value").version()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    static byte[] avroBinary(ImageRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<ImageRecord>(ImageRecord.getClassSchema(), SpecificData.getForClass(ImageRecord.class))
                .write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
