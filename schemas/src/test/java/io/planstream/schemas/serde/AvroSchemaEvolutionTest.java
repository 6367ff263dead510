package io.planstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.planstream.schemas.registry.RegistryFixture;
import io.planstream.schemas.registry.SchemaRegistryClient;

/** Records written with one version of a schema and read with another, and writing with the latest version. */
class AvroSchemaEvolutionTest {

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

    @Test
    void shouldRegisterANullableFieldWithDefaultAsVersion2AndReadVersion1DataWithTheVersion2Class() {
        byte[] v1Bytes = new AvroSerializer<>(PlanV1.class, client).serialize("plans", new PlanV1("plan-1", 4));
        byte[] v2Bytes = new AvroSerializer<>(PlanV2.class, client).serialize("plans", new PlanV2("plan-2", 5, 81.5));

        PlanV2 read = new AvroDeserializer<>(PlanV2.class, client).deserialize("plans", v1Bytes);

        assertThat(client.versions("plans-value")).containsExactly(1, 2);
        assertThat(idOf(v1Bytes)).isEqualTo(client.lookup("plans-value", PlanV1.SCHEMA$).orElseThrow().id());
        assertThat(idOf(v2Bytes)).isEqualTo(client.getLatest("plans-value").id());
        assertThat(read.getId()).isEqualTo("plan-1");
        assertThat(read.getRooms()).isEqualTo(4);
        assertThat(read.getArea()).as("the default of the new field").isNull();
    }

    @Test
    void shouldReadVersion2DataWithTheVersion1Class() {
        new AvroSerializer<>(PlanV1.class, client).serialize("plans-back", new PlanV1("plan-1", 4));
        byte[] v2Bytes = new AvroSerializer<>(PlanV2.class, client).serialize("plans-back", new PlanV2("plan-2", 5, 81.5));

        PlanV1 read = new AvroDeserializer<>(PlanV1.class, client).deserialize("plans-back", v2Bytes);

        assertThat(client.getLatest("plans-back-value").version()).isEqualTo(2);
        assertThat(read.getId()).isEqualTo("plan-2");
        assertThat(read.getRooms()).isEqualTo(5);
    }

    @Test
    void shouldWriteWithTheLatestVersionsIdWhenAskedAndLetBothVersionsReadIt() {
        int v1 = client.register("latest-value", PlanV1.SCHEMA$);
        int v2 = client.register("latest-value", PlanV2.SCHEMA$);
        AvroSerializer<PlanV1> serializer = new AvroSerializer<>(PlanV1.class, client);
        serializer.configure(Map.of("auto.register.schemas", false, "use.latest.version", "true"), false);

        byte[] bytes = serializer.serialize("latest", new PlanV1("plan-3", 2));

        assertThat(idOf(bytes)).isEqualTo(v2).isNotEqualTo(v1);
        PlanV2 asV2 = new AvroDeserializer<>(PlanV2.class, client).deserialize("latest", bytes);
        assertThat(asV2.getId()).isEqualTo("plan-3");
        assertThat(asV2.getRooms()).isEqualTo(2);
        assertThat(asV2.getArea()).isNull();
        assertThat(new AvroDeserializer<>(PlanV1.class, client).deserialize("latest", bytes).getRooms()).isEqualTo(2);
        assertThat(client.versions("latest-value")).as("nothing registered").containsExactly(1, 2);
    }

    @Test
    void shouldRefuseTheLatestVersionWhenItCannotHoldTheRecord() {
        Schema demanding = new Schema.Parser().parse("""
                {"type":"record","name":"PlanV1","namespace":"io.planstream.schemas.serde","fields":[
                  {"name":"id","type":"string"},
                  {"name":"rooms","type":"int"},
                  {"name":"architect","type":"string"}]}""");
        client.setCompatibility("demanding-value", "NONE");
        client.register("demanding-value", PlanV1.SCHEMA$);
        int latest = client.register("demanding-value", demanding);
        AvroSerializer<PlanV1> serializer = new AvroSerializer<>(PlanV1.class, client);
        serializer.configure(Map.of("auto.register.schemas", "false", "use.latest.version", "true"), false);

        assertThatThrownBy(() -> serializer.serialize("demanding", new PlanV1("plan-4", 1)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot serialize PlanV1 for topic 'demanding': the latest schema of subject"
                        + " 'demanding-value' (id " + latest + ", version 2) cannot hold its data: ")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE");
    }

    @Test
    void shouldLookUpInsteadOfRegisteringWhenAutoRegisterIsOff() {
        AvroSerializer<PlanV2> serializer = new AvroSerializer<>(PlanV2.class, client);
        serializer.configure(Map.of("auto.register.schemas", "false"), false);

        assertThatThrownBy(() -> serializer.serialize("closed", new PlanV2("plan-5", 1, null)))
                .isInstanceOf(SerializationException.class)
                .hasMessage("cannot serialize PlanV2 for topic 'closed': its schema is not registered under subject"
                        + " 'closed-value' and auto.register.schemas is false");
        assertThat(client.versions("closed-value")).isEmpty();

        int id = client.register("closed-value", PlanV2.SCHEMA$);
        assertThat(idOf(serializer.serialize("closed", new PlanV2("plan-5", 1, null)))).isEqualTo(id);
    }

    @Test
    void shouldSayWhenNoSchemaIsRegisteredForUseLatestVersion() {
        AvroSerializer<PlanV1> serializer = new AvroSerializer<>(PlanV1.class, client);
        serializer.configure(Map.of("auto.register.schemas", "false", "use.latest.version", "true"), false);

        assertThatThrownBy(() -> serializer.serialize("empty", new PlanV1("plan-6", 1)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot serialize PlanV1 for topic 'empty': ")
                .hasMessageContaining("Subject 'empty-value' not found.");
    }

    private static int idOf(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

}
