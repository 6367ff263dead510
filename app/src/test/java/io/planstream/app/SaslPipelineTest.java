package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.kafka.EmbeddedKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Kafka security settings reach every client of every role: against a broker that speaks only
 * SASL/PLAIN, uploads are accepted (ingest producer), embedded (Kafka Streams, the models consumer,
 * the admin client), indexed and searched (index consumers), and the schema registry's own store
 * works; without the credentials a client is refused.
 */
@QuarkusTest
@TestProfile(SearchApiTest.WholePipeline.class)
@QuarkusTestResource(value = SaslKafkaResource.class, restrictToAnnotatedClass = true)
class SaslPipelineTest {

    EmbeddedKafka kafka;

    @Test
    void everyRoleTalksSaslAndAClientWithoutCredentialsIsRefused() throws Exception {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(given().contentType("image/png").body(plans.generate(500 + i).png()).post("/images").then().statusCode(202)
                    .extract().path("id"));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Response r;
        do {
            Thread.sleep(200);
            r = given().queryParam("k", 3).get("/images/" + ids.get(0) + "/similar");
        } while ((r.statusCode() != 200 || r.<List<?>>path("hits").size() < 3) && System.nanoTime() < deadline);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.<List<String>>path("hits.id")).isSubsetOf(ids);

        // The same broker refuses a client that sends no credentials, and one with a wrong password.
        for (Map<String, Object> props : List.<Map<String, Object>>of(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), "security.protocol", "SASL_PLAINTEXT",
                        "sasl.mechanism", "PLAIN", "sasl.jaas.config", SaslKafkaResource.jaas(SaslKafkaResource.USER, "wrong")))) {
            java.util.HashMap<String, Object> p = new java.util.HashMap<>(props);
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
            try (Admin admin = Admin.create(p)) {
                assertThatThrownBy(() -> admin.listTopics().names().get()).as("client %s", props.keySet());
            }
        }
    }
}
