package io.planstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The embedded registry spoken to over raw HTTP, as any Confluent-API client would. */
class EmbeddedSchemaRegistryTest {

    static final String V1 = """
            {"type":"record","name":"Plan","namespace":"test","fields":[
              {"name":"id","type":"string"}]}""";
    static final String V2_NULLABLE = """
            {"type":"record","name":"Plan","namespace":"test","fields":[
              {"name":"id","type":"string"},
              {"name":"area","type":["null","double"],"default":null}]}""";
    static final String V2_REQUIRED = """
            {"type":"record","name":"Plan","namespace":"test","fields":[
              {"name":"id","type":"string"},
              {"name":"rooms","type":"int"}]}""";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static RegistryFixture fixture;

    @BeforeAll
    static void start() {
        fixture = RegistryFixture.start();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void shouldAnswerTheSameIdForTheSameSchemaAndShareItAcrossSubjects() throws Exception {
        Answer first = post("/subjects/same-a/versions", schemaBody(V1));
        Answer again = post("/subjects/same-a/versions", schemaBody(V1));
        Answer otherSubject = post("/subjects/same-b/versions", schemaBody(V1));
        Answer otherSchema = post("/subjects/same-b/versions", schemaBody(V2_NULLABLE));

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        int id = first.json().get("id").intValue();
        assertThat(id).isPositive();
        assertThat(again.json().get("id").intValue()).isEqualTo(id);
        assertThat(otherSubject.json().get("id").intValue()).isEqualTo(id);
        assertThat(otherSchema.json().get("id").intValue()).isGreaterThan(id);
        assertThat(get("/subjects/same-a/versions").json()).hasSize(1);
        assertThat(get("/subjects/same-b/versions").json().toString()).isEqualTo("[1,2]");
    }

    @Test
    void shouldServeSchemasByIdWithTheirSubjectsAndVersionsBySubject() throws Exception {
        int id = post("/subjects/serve-a/versions", schemaBody(V1)).json().get("id").intValue();
        post("/subjects/serve-b/versions", schemaBody(V1));

        JsonNode byId = get("/schemas/ids/" + id).json();
        assertThat(new Schema.Parser().parse(byId.get("schema").asText())).isEqualTo(new Schema.Parser().parse(V1));
        assertThat(byId.has("schemaType")).as("AVRO is the default and left out").isFalse();
        assertThat(get("/schemas/ids/" + id + "/subjects").json().toString()).contains("\"serve-a\"", "\"serve-b\"");

        JsonNode latest = get("/subjects/serve-a/versions/latest").json();
        assertThat(latest.get("subject").asText()).isEqualTo("serve-a");
        assertThat(latest.get("version").intValue()).isEqualTo(1);
        assertThat(latest.get("id").intValue()).isEqualTo(id);
        assertThat(get("/subjects/serve-a/versions/1").json()).isEqualTo(latest);
        assertThat(get("/subjects").json().toString()).contains("\"serve-a\"", "\"serve-b\"");

        JsonNode found = post("/subjects/serve-b", schemaBody(V1)).json();
        assertThat(found.get("id").intValue()).isEqualTo(id);
        assertThat(found.get("version").intValue()).isEqualTo(1);
    }

    @Test
    void shouldAnswerConfluentErrorCodesForWhatDoesNotExist() throws Exception {
        post("/subjects/errors-a/versions", schemaBody(V1));

        assertError(get("/subjects/no-such-subject/versions"), 404, 40401, "Subject 'no-such-subject' not found.");
        assertError(get("/subjects/errors-a/versions/7"), 404, 40402, "Version 7");
        assertError(get("/schemas/ids/987654"), 404, 40403, "Schema 987654 not found.");
        assertError(post("/subjects/errors-a", schemaBody(V2_NULLABLE)), 404, 40403, "Schema not found");
        assertError(get("/subjects/errors-a/versions/zero"), 422, 42202, "not a valid version");
        assertError(get("/no/such/route"), 404, 404, "Not Found");
        assertError(send("DELETE", "/schemas/ids/1", null), 405, 405, "Method Not Allowed");
    }

    @Test
    void shouldRejectAnInvalidSchemaWith42201() throws Exception {
        assertError(post("/subjects/invalid/versions", schemaBody("{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"nope\"}]}")),
                422, 42201, "nope");
        assertError(post("/subjects/invalid/versions", "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = 'proto3';\"}"),
                422, 42201, "PROTOBUF");
        assertError(post("/subjects/invalid/versions", "{\"schema\":"), 400, 400, "not JSON");
        assertThat(get("/subjects/invalid/versions").status()).isEqualTo(404);
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaWith409NamingTheFieldAndTheVersion() throws Exception {
        post("/subjects/refuse/versions", schemaBody(V1));

        Answer refused = post("/subjects/refuse/versions", schemaBody(V2_REQUIRED));

        assertError(refused, 409, 409, "incompatible with an earlier schema for subject 'refuse' under BACKWARD");
        assertThat(refused.json().get("message").asText())
                .contains("the new schema cannot read data written with version 1")
                .contains("field 'rooms'")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(get("/subjects/refuse/versions").json().toString()).isEqualTo("[1]");
    }

    @Test
    void shouldCheckCompatibilityWithoutRegistering() throws Exception {
        post("/subjects/check/versions", schemaBody(V1));

        JsonNode bad = post("/compatibility/subjects/check/versions/latest", schemaBody(V2_REQUIRED)).json();
        JsonNode good = post("/compatibility/subjects/check/versions/1", schemaBody(V2_NULLABLE)).json();

        assertThat(bad.get("is_compatible").booleanValue()).isFalse();
        assertThat(bad.get("messages").toString()).contains("rooms");
        assertThat(good.get("is_compatible").booleanValue()).isTrue();
        assertThat(good.get("messages")).isEmpty();
        assertThat(get("/subjects/check/versions").json().toString()).isEqualTo("[1]");
        assertError(post("/compatibility/subjects/check-none/versions/latest", schemaBody(V1)), 404, 40401, "not found");
    }

    @Test
    void shouldDecideForwardAndFullWithTheOldSchemaAsReader() throws Exception {
        put("/config/forward", "{\"compatibility\":\"FORWARD\"}");
        put("/config/full", "{\"compatibility\":\"FULL\"}");
        post("/subjects/forward/versions", schemaBody(V1));
        post("/subjects/full/versions", schemaBody(V1));

        // Old readers ignore a new required field, so FORWARD takes it; FULL also needs new readers to read old data.
        assertThat(post("/subjects/forward/versions", schemaBody(V2_REQUIRED)).status()).isEqualTo(200);
        Answer full = post("/subjects/full/versions", schemaBody(V2_REQUIRED));
        assertError(full, 409, 409, "under FULL");
        assertThat(post("/subjects/full/versions", schemaBody(V2_NULLABLE)).status()).isEqualTo(200);
    }

    @Test
    void shouldCheckEveryEarlierVersionOnlyUnderTransitiveLevels() throws Exception {
        String a = "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
        String empty = "{\"type\":\"record\",\"name\":\"T\",\"fields\":[]}";
        String aAsString = "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"a\",\"type\":\"string\",\"default\":\"\"}]}";
        put("/config/transitive", "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
        for (String subject : List.of("plain", "transitive")) {
            post("/subjects/" + subject + "/versions", schemaBody(a));
            post("/subjects/" + subject + "/versions", schemaBody(empty));
        }

        // a:string reads version 2 (no a, default used) but not version 1 (a is an int there).
        assertThat(post("/subjects/plain/versions", schemaBody(aAsString)).status()).isEqualTo(200);
        Answer transitive = post("/subjects/transitive/versions", schemaBody(aAsString));
        assertError(transitive, 409, 409, "under BACKWARD_TRANSITIVE");
        assertThat(transitive.json().get("message").asText()).contains("version 1").doesNotContain("version 2");
    }

    @Test
    void shouldReadAndSetCompatibilityLevels() throws Exception {
        assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertError(get("/config/levels"), 404, 40408, "does not have subject-level compatibility");
        assertThat(get("/config/levels?defaultToGlobal=true").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");

        Answer set = put("/config/levels", "{\"compatibility\":\"full_transitive\"}");

        assertThat(set.json().get("compatibility").asText()).isEqualTo("FULL_TRANSITIVE");
        assertThat(get("/config/levels").json().get("compatibilityLevel").asText()).isEqualTo("FULL_TRANSITIVE");
        assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertError(put("/config/levels", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203, "Invalid compatibility level 'SIDEWAYS'");
        assertThat(send("DELETE", "/config/levels", null).json().get("compatibilityLevel").asText()).isEqualTo("FULL_TRANSITIVE");
        assertError(get("/config/levels"), 404, 40408, "levels");
    }

    @Test
    void shouldSoftDeleteASubjectAndGiveTheSameIdBackOnReRegistration() throws Exception {
        int id = post("/subjects/soft/versions", schemaBody(V1)).json().get("id").intValue();

        assertThat(send("DELETE", "/subjects/soft", null).json().toString()).isEqualTo("[1]");

        assertError(get("/subjects/soft/versions"), 404, 40401, "soft");
        assertThat(get("/subjects").json().toString()).doesNotContain("\"soft\"");
        assertThat(get("/subjects?deleted=true").json().toString()).contains("\"soft\"");
        assertThat(get("/schemas/ids/" + id).status()).as("ids stay readable for old records").isEqualTo(200);
        assertError(send("DELETE", "/subjects/soft", null), 404, 40404, "soft deleted");
        JsonNode again = post("/subjects/soft/versions", schemaBody(V1)).json();
        assertThat(again.get("id").intValue()).isEqualTo(id);
        assertThat(get("/subjects/soft/versions").json().toString()).isEqualTo("[2]");
    }

    @Test
    void shouldDeletePermanentlyOnlyAfterASoftDeleteAndNeverReuseTheId() throws Exception {
        int id = post("/subjects/hard/versions", schemaBody("{\"type\":\"record\",\"name\":\"Hard\",\"fields\":[]}")).json()
                .get("id").intValue();
        assertError(send("DELETE", "/subjects/hard?permanent=true", null), 404, 40405, "not deleted first");
        send("DELETE", "/subjects/hard", null);

        assertThat(send("DELETE", "/subjects/hard?permanent=true", null).json().toString()).isEqualTo("[1]");

        assertError(get("/schemas/ids/" + id), 404, 40403, "not found");
        assertThat(get("/subjects?deleted=true").json().toString()).doesNotContain("\"hard\"");
        int next = post("/subjects/hard/versions", schemaBody("{\"type\":\"record\",\"name\":\"Hard\",\"fields\":[]}")).json()
                .get("id").intValue();
        assertThat(next).isGreaterThan(id);
        assertThat(get("/subjects/hard/versions").json().toString()).isEqualTo("[1]");
    }

    @Test
    void shouldKeepEncodedSlashesAndPlusSignsInsideTheSubject() throws Exception {
        Answer registered = post("/subjects/a%2Fb+c/versions", schemaBody(V1));

        assertThat(registered.status()).isEqualTo(200);
        assertThat(get("/subjects").json().toString()).contains("\"a/b+c\"");
        assertThat(get("/subjects/a%2Fb+c/versions/latest").json().get("subject").asText()).isEqualTo("a/b+c");
    }

    @Test
    void shouldRefuseToStartOnATopicThatIsNotCompacted() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", fixture.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("not-compacted", 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "delete")))).all().get();
        }

        assertThatThrownBy(() -> EmbeddedSchemaRegistry.builder()
                .setBootstrapServers(fixture.kafka().bootstrapServers())
                .optTopic("not-compacted")
                .start())
                .hasMessageContaining("'not-compacted' has cleanup.policy=delete; it must be compact");
    }

    @Test
    void shouldPassExtraClientPropertiesToKafka() {
        // SSL against the plaintext listener cannot work: the start fails only if the setting reached Kafka.
        assertThatThrownBy(() -> EmbeddedSchemaRegistry.builder()
                .setBootstrapServers(fixture.kafka().bootstrapServers())
                .optClientProperties(Map.of("security.protocol", "SSL"))
                .optTopic("never-created")
                .optTimeout(Duration.ofSeconds(2))
                .start())
                .hasMessageContaining("schema topic 'never-created'");
    }

    @Test
    void shouldCreateItsTopicCompactedWithOnePartitionAndBindToLoopbackOnly() throws Exception {
        assertThat(fixture.registry().url()).isEqualTo("http://127.0.0.1:" + fixture.registry().port());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", fixture.kafka().bootstrapServers()))) {
            var description = admin.describeTopics(List.of(EmbeddedSchemaRegistry.DEFAULT_TOPIC)).allTopicNames().get()
                    .get(EmbeddedSchemaRegistry.DEFAULT_TOPIC);
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, EmbeddedSchemaRegistry.DEFAULT_TOPIC);
            String policy = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value();
            assertThat(description.partitions()).hasSize(1);
            assertThat(policy).isEqualTo("compact");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    record Answer(int status, String contentType, JsonNode json) {
    }

    static String schemaBody(String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    static Answer get(String path) throws Exception {
        return send("GET", path, null);
    }

    static Answer post(String path, String body) throws Exception {
        return send("POST", path, body);
    }

    static Answer put(String path, String body) throws Exception {
        return send("PUT", path, body);
    }

    static Answer send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fixture.registry().url() + path))
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                JSON.readTree(response.body()));
    }

    static void assertError(Answer answer, int status, int errorCode, String messagePart) {
        assertThat(answer.status()).as("status of %s", answer.json()).isEqualTo(status);
        assertThat(answer.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(answer.json().get("error_code").intValue()).isEqualTo(errorCode);
        assertThat(answer.json().get("message").asText()).contains(messagePart);
    }
}
