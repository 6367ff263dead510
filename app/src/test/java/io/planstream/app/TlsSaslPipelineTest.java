package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.planstream.app.cli.PlanstreamCommand;
import io.planstream.broker.EmbeddedKafka;
import io.planstream.ingest.ImageId;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.platform.KafkaPlatform;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Kafka's TLS and SASL settings reach every client of every role: against a broker that speaks only
 * SASL_SSL, uploads are accepted (ingest producer, the schema registry's own store), embedded (Kafka
 * Streams, the models consumer, the admin client), indexed and searched (index consumers), and the
 * trainer reads them into its buffer (its consumer; its transactional publisher starts only after
 * initialising its transactions); {@code planstream ingest --kafka} takes them from a client
 * properties file. A client that lacks the trust store fails the TLS handshake, one
 * with a wrong password fails SASL, one without either never gets an answer, while the same client
 * given the application's settings lists the topics.
 */
@QuarkusTest
@TestProfile(TlsSaslPipelineTest.EveryRole.class)
@QuarkusTestResource(value = TlsSaslKafkaResource.class, restrictToAnnotatedClass = true)
class TlsSaslPipelineTest {

    /** The search pipeline's settings with the trainer too, which then never reaches a round (1,000 new images). */
    public static class EveryRole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(new SearchApiTest.WholePipeline().getConfigOverrides());
            m.put("planstream.roles", "ingest,embedder,index,trainer");
            return m;
        }
    }

    EmbeddedKafka kafka;

    @Inject
    KafkaPlatform platform;

    @ConfigProperty(name = "kafka.ssl.truststore.location")
    String truststore;

    @Test
    void everyRoleTalksTlsAndSaslAndAClientWithoutEitherIsRefused() throws Exception {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(given().contentType("image/png").body(plans.generate(500 + i).png()).post("/images").then().statusCode(202)
                    .extract().path("id"));
        }
        SearchApiTest.awaitSearchable(ids.get(0), 3);
        assertThat(given().queryParam("k", 3).get("/images/" + ids.get(0) + "/similar").<List<String>>path("hits.id")).isSubsetOf(ids);

        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();

        Response trainer = given().get("/admin/trainer");
        while (trainer.statusCode() == 200 && trainer.<Integer>path("status.bufferImages") < ids.size() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            trainer = given().get("/admin/trainer");
        }
        assertThat(trainer.statusCode()).as(trainer.asString()).isEqualTo(200);
        assertThat(trainer.<Integer>path("status.bufferImages")).as(trainer.asString()).isEqualTo(ids.size());

        // `planstream ingest` straight to Kafka takes the same settings from a client properties file.
        Path dir = Files.createTempDirectory("tls-cli");
        Path plan = Files.write(dir.resolve("plan.png"), plans.generate(600).png());
        Map<String, Object> settings = TlsSaslKafkaResource.clientSettings(TlsSaslKafkaResource.USER, TlsSaslKafkaResource.PASSWORD,
                truststore);
        Properties client = new Properties();
        settings.forEach((k, v) -> client.setProperty(k, String.valueOf(v)));
        Path config = dir.resolve("client.properties");
        try (var w = Files.newBufferedWriter(config)) {
            client.store(w, null);
        }
        assertThat(PlanstreamCommand.execute("ingest", "--kafka", kafka.bootstrapServers(), "--registry", platform.schemaRegistryUrl(),
                "--kafka-config", config.toString(), plan.toString())).isZero();
        String cliId = ImageId.sha256Hex(Files.readAllBytes(plan));
        Response viaCli = given().get("/images/" + cliId);
        while (viaCli.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            viaCli = given().get("/images/" + cliId);
        }
        assertThat(viaCli.statusCode()).as(viaCli.asString()).isEqualTo(200);

        // The application's own settings work for a client of the test's too: what fails below fails for
        // the setting it lacks.
        try (Admin admin = Admin.create(client(settings))) {
            assertThat(admin.listTopics().names().get()).contains("images", "embeddings");
        }
        // The login without the trust store: the broker's certificate is not trusted.
        try (Admin admin = Admin.create(client(TlsSaslKafkaResource.clientSettings(TlsSaslKafkaResource.USER, TlsSaslKafkaResource.PASSWORD,
                null)))) {
            assertThatThrownBy(() -> admin.listTopics().names().get()).cause().isInstanceOf(SslAuthenticationException.class)
                    .hasMessageContaining("SSL handshake failed");
        }
        // TLS without the right password: SASL refuses.
        try (Admin admin = Admin.create(client(TlsSaslKafkaResource.clientSettings(TlsSaslKafkaResource.USER, "wrong", truststore)))) {
            assertThatThrownBy(() -> admin.listTopics().names().get()).cause().isInstanceOf(SaslAuthenticationException.class);
        }
        // Neither: a plaintext client gets no answer at all.
        try (Admin admin = Admin.create(client(Map.of()))) {
            assertThatThrownBy(() -> admin.listTopics().names().get()).cause().isInstanceOf(TimeoutException.class);
        }
    }

    private Map<String, Object> client(Map<String, Object> settings) {
        Map<String, Object> p = new HashMap<>(settings);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
        return p;
    }
}
