package io.planstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST client against the embedded registry over real HTTP. */
class RestSchemaRegistryClientTest {

    private static final Schema V1 = parse("""
            {"type":"record","name":"Plan","namespace":"test","fields":[
              {"name":"id","type":"string"}]}""");
    private static final Schema V2_NULLABLE = parse("""
            {"type":"record","name":"Plan","namespace":"test","fields":[
              {"name":"id","type":"string"},
              {"name":"area","type":["null","double"],"default":null}]}""");
    private static final Schema V3_NULLABLE = parse("""
            {"type":"record","name":"Plan","namespace":"test","fields":[
              {"name":"id","type":"string"},
              {"name":"area","type":["null","double"],"default":null},
              {"name":"floor","type":["null","int"],"default":null}]}""");
    private static final Schema V4_REQUIRED = parse("""
            {"type":"record","name":"Plan","namespace":"test","fields":[
              {"name":"id","type":"string"},
              {"name":"area","type":["null","double"],"default":null},
              {"name":"floor","type":["null","int"],"default":null},
              {"name":"rooms","type":"int","doc":"added without a default"}]}""");

    private static RegistryFixture fixture;
    private static SchemaRegistryClient client;

    @BeforeAll
    static void start() {
        fixture = RegistryFixture.start();
        client = RestSchemaRegistryClient.fromConfig(Map.of(RestSchemaRegistryClient.URL_CONFIG, fixture.registry().url()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void shouldRegisterLookUpAndFetchASchema() {
        int id = client.register("fetch-value", V1);

        assertThat(client.getById(id)).isEqualTo(V1);
        RegisteredSchema latest = client.getLatest("fetch-value");
        assertThat(latest).isEqualTo(new RegisteredSchema("fetch-value", id, 1, V1));
        assertThat(client.lookup("fetch-value", V1)).contains(latest);
        assertThat(client.lookup("fetch-value", V2_NULLABLE)).isEmpty();
        assertThat(client.lookup("fetch-nothing-value", V1)).isEmpty();
        assertThat(client.subjects()).contains("fetch-value");
        assertThat(client.versions("fetch-value")).containsExactly(1);
        assertThat(client.versions("fetch-nothing-value")).isEmpty();
    }

    @Test
    void shouldRegisterACompatibleEvolutionAsVersion2() {
        int v1 = client.register("evolve-value", V1);

        assertThat(client.isCompatible("evolve-value", V2_NULLABLE)).isTrue();
        int v2 = client.register("evolve-value", V2_NULLABLE);

        assertThat(v2).isNotEqualTo(v1);
        assertThat(client.versions("evolve-value")).containsExactly(1, 2);
        assertThat(client.getLatest("evolve-value").version()).isEqualTo(2);
        assertThat(client.getLatest("evolve-value").id()).isEqualTo(v2);
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaNamingTheSubjectVersionLevelAndReason() {
        client.register("images-value", V1);
        client.register("images-value", V2_NULLABLE);
        client.register("images-value", V3_NULLABLE);

        assertThat(client.isCompatible("images-value", V4_REQUIRED)).isFalse();
        assertThatThrownBy(() -> client.register("images-value", V4_REQUIRED))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("schema for subject 'images-value' is incompatible with version 3 under BACKWARD: ")
                .hasMessageContaining("field 'rooms'")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE")
                .asInstanceOf(type(SchemaRegistryException.class))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                });
        assertThat(client.versions("images-value")).containsExactly(1, 2, 3);
    }

    @Test
    void shouldTreatASubjectWithoutVersionsAsCompatibleWithAnything() {
        assertThat(client.isCompatible("brand-new-value", V4_REQUIRED)).isTrue();
    }

    @Test
    void shouldReadAndSetCompatibilityPerSubject() {
        assertThat(client.compatibility(null)).isEqualTo("BACKWARD");
        assertThat(client.compatibility("levels-value")).as("falls back to the global level").isEqualTo("BACKWARD");

        assertThat(client.setCompatibility("levels-value", "FULL")).isEqualTo("FULL");

        assertThat(client.compatibility("levels-value")).isEqualTo("FULL");
        assertThat(client.compatibility(null)).isEqualTo("BACKWARD");
        assertThatThrownBy(() -> client.setCompatibility("levels-value", "LENIENT"))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Invalid compatibility level 'LENIENT'")
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL);
    }

    @Test
    void shouldReportAnUnknownIdAsSchemaNotFound() {
        assertThatThrownBy(() -> client.getById(424242))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("GET /schemas/ids/424242")
                .hasMessageContaining("Schema 424242 not found")
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
    }

    @Test
    void shouldReportAnInvalidSchemaWithTheSubject() {
        // Valid JSON for Avro's parser on this side, refused on the server for its bad default.
        Schema badDefault = new Schema.Parser().setValidateDefaults(false).parse("""
                {"type":"record","name":"Bad","fields":[{"name":"n","type":"int","default":"seven"}]}""");

        assertThatThrownBy(() -> client.register("bad-value", badDefault))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("schema for subject 'bad-value' is invalid: ")
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
    }

    @Test
    void shouldEncodeSubjectsWithSlashesSpacesAndPlusSigns() {
        String subject = "team a/plans+v2-value";

        int id = client.register(subject, V1);

        assertThat(client.subjects()).contains(subject);
        assertThat(client.getLatest(subject).id()).isEqualTo(id);
        assertThat(client.getLatest(subject).subject()).isEqualTo(subject);
    }

    @Test
    void shouldNameTheUrlWhenTheRegistryCannotBeReached() throws IOException {
        String dead = "http://127.0.0.1:" + closedPort();
        SchemaRegistryClient unreachable = RestSchemaRegistryClient.builder().setUrls(dead).build();

        assertThatThrownBy(() -> unreachable.getById(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("schema registry unreachable for GET /schemas/ids/1 at " + dead + " (")
                .hasMessageContaining("ConnectException")
                .extracting(e -> ((SchemaRegistryException) e).status())
                .isEqualTo(SchemaRegistryException.NO_ANSWER);
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }
}
