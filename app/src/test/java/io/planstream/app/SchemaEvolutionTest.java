package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.planstream.avro.ImageRecord;
import io.planstream.ingest.ImageId;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.platform.KafkaPlatform;
import io.planstream.schemas.registry.RestSchemaRegistryClient;
import io.planstream.schemas.registry.SchemaRegistryClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Schema evolution in flight: while the pipeline runs on the current {@code ImageRecord} schema, a
 * producer writes one record with an older version (no {@code filename}, no {@code metadata}) and one
 * with a newer compatible version (an added optional {@code tags} field), each registered under the
 * topic's subject and sent in the Confluent wire format by a plain Kafka producer. Both are embedded,
 * indexed and searchable, and the catalog answers for both.
 */
@QuarkusTest
@TestProfile(SearchApiTest.WholePipeline.class)
class SchemaEvolutionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    KafkaPlatform platform;

    @Test
    void olderAndNewerWriterSchemasFlowThroughEveryStage() throws Exception {
        Schema current = ImageRecord.getClassSchema();
        Schema older = evolve(current, fields -> {
            fields.removeIf(f -> f.get("name").asText().equals("filename") || f.get("name").asText().equals("metadata"));
        });
        Schema newer = evolve(current, fields -> {
            ObjectNode tags = JSON.createObjectNode().put("name", "tags").put("doc", "Added by a newer producer.");
            tags.set("type", JSON.readTree("[\"null\", {\"type\": \"array\", \"items\": \"string\"}]"));
            tags.putNull("default");
            fields.add(tags);
        });
        // The running pipeline's own upload first: the current schema is the subject's first version.
        FloorPlanGenerator plans = new FloorPlanGenerator();
        given().contentType("image/png").body(plans.generate(9003).png()).post("/images").then().statusCode(202);
        SchemaRegistryClient registry = RestSchemaRegistryClient.builder().setUrls(platform.schemaRegistryUrl()).build();
        String subject = platform.topics().images().name() + "-value";
        int olderId = registry.register(subject, older);
        int newerId = registry.register(subject, newer);
        assertThat(registry.versions(subject)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(Math.min(olderId, newerId)).isGreaterThan(registry.lookup(subject, current).orElseThrow().id());

        byte[] olderPng = plans.generate(9001).png();
        byte[] newerPng = plans.generate(9002).png();
        GenericRecord a = record(older, "evolution-older", olderPng);
        GenericRecord b = record(newer, "evolution-newer", newerPng);
        b.put("tags", List.of("from-a-newer-producer"));
        Map<String, Object> props = new HashMap<>(platform.clientProperties());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(platform.topics().images().name(), "evolution-older", wire(olderId, a))).get();
            producer.send(new ProducerRecord<>(platform.topics().images().name(), "evolution-newer", wire(newerId, b))).get();
        }
        for (String id : List.of("evolution-older", "evolution-newer")) {
            Response r = awaitSimilar(id);
            assertThat(r.statusCode()).as("%s: %s", id, r.asString()).isEqualTo(200);
            assertThat(r.<List<String>>path("hits.id")).as("neighbours of %s", id).isNotEmpty().doesNotContain(id);
            given().get("/images/" + id).then().statusCode(200);
        }
        // No dead letters for either: both were decoded, embedded and indexed.
        Response status = given().get("/status");
        assertThat(status.asString()).doesNotContain("evolution-older").doesNotContain("evolution-newer");
    }

    private static Response awaitSimilar(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Response r;
        do {
            Thread.sleep(200);
            r = given().queryParam("k", 1).get("/images/" + id + "/similar");
        } while (r.statusCode() != 200 && System.nanoTime() < deadline);
        return r;
    }

    private interface FieldEdit {
        void apply(ArrayNode fields) throws IOException;
    }

    private static Schema evolve(Schema schema, FieldEdit edit) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
        edit.apply((ArrayNode) json.get("fields"));
        return new Schema.Parser().parse(json.toString());
    }

    private static GenericRecord record(Schema schema, String id, byte[] png) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("contentType", "image/png");
        r.put("format", new GenericData.EnumSymbol(schema.getField("format").schema(), "PICTURE"));
        r.put("original", ByteBuffer.wrap(png));
        r.put("width", 256);
        r.put("height", 256);
        r.put("source", "schema-evolution-test");
        r.put("sha256", ImageId.sha256Hex(png));
        r.put("uploadTime", System.currentTimeMillis());
        for (Schema.Field f : schema.getFields()) {
            if (r.get(f.name()) == null && f.hasDefaultValue()) {
                r.put(f.name(), GenericData.get().getDefaultValue(f));
            }
        }
        return r;
    }

    /** Confluent's wire format: magic byte 0, the schema id (4 bytes, big-endian), the Avro binary body. */
    private static byte[] wire(int schemaId, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }
}
