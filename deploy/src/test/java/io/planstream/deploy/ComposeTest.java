package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The compose file runs the same roles as the cluster, each in its own container, on the official
 * Apache Kafka image in KRaft mode and a Confluent-compatible registry, with the same settings.
 */
class ComposeTest {

    private final Node services = Manifests.document(Manifests.COMPOSE.resolve("compose.yaml")).get("services");

    @Test
    void shouldRunEveryRoleInAContainerOfItsOwn() {
        for (Roles role : Roles.values()) {
            Node s = services.get(role.role);
            assertThat(s.get("image").text()).isEqualTo(ImagesTest.cpuImage());
            Node env = s.get("environment");
            assertThat(env.get("PLANSTREAM_ROLES").text()).as("roles of %s", role.role).isEqualTo(role.role);
            assertThat(env.get("QUARKUS_HTTP_HOST").text()).isEqualTo("0.0.0.0");
            assertThat(s.get("depends_on").entries()).containsKeys("kafka", "registry");
        }
    }

    @Test
    void shouldRunKafkaInKraftModeOnTheOfficialImage() {
        Node kafka = services.get("kafka");
        assertThat(kafka.get("image").text()).startsWith("apache/kafka:").doesNotEndWith(":latest");
        Node env = kafka.get("environment");
        assertThat(env.get("KAFKA_PROCESS_ROLES").text().split(",")).containsExactlyInAnyOrder("broker", "controller");
        // One broker: internal topics cannot have three replicas.
        assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").integer()).isEqualTo(1);
        assertThat(env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").integer()).isEqualTo(1);
        String logDirs = env.get("KAFKA_LOG_DIRS").text();
        assertThat(kafka.get("volumes").items()).anySatisfy(v -> assertThat(v.text()).endsWith(":" + logDirs));
    }

    @Test
    void shouldPointTheRolesAtTheBrokerAndRegistryContainers() {
        Node kafkaEnv = services.get("kafka").get("environment");
        String advertised = kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS").text();
        for (Roles role : Roles.values()) {
            Node env = services.get(role.role).get("environment");
            String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS").text();
            assertThat(advertised).contains("://" + bootstrap);
            assertThat(services.entries()).containsKey(bootstrap.substring(0, bootstrap.indexOf(':')));
            URI registry = URI.create(env.get("SCHEMA_REGISTRY_URL").text());
            assertThat(services.entries()).containsKey(registry.getHost());
            assertThat(registry.getPath()).isEqualTo("/apis/ccompat/v7");
            assertThat(env.get("PLANSTREAM_TOPICS_REPLICATION_FACTOR").integer()).as("one broker").isEqualTo(1);
            assertThat(env.get("PLANSTREAM_TOPICS_PARTITIONS").integer()).isPositive();
        }
        Node registryEnv = services.get("registry").get("environment");
        assertThat(registryEnv.get("APICURIO_STORAGE_KIND").text()).isEqualTo("kafkasql");
        assertThat(registryEnv.get("APICURIO_KAFKASQL_BOOTSTRAP_SERVERS").text())
                .isEqualTo(services.get("ingest").get("environment").get("KAFKA_BOOTSTRAP_SERVERS").text());
    }

    @Test
    void shouldPublishTheApiOnLoopbackOnTheApplicationsPort() {
        String port = String.valueOf(Manifests.httpPort());
        for (Roles role : Roles.values()) {
            for (Node p : services.get(role.role).list("ports")) {
                assertThat(p.text()).as("ports of %s", role.role).startsWith("127.0.0.1:").endsWith(":" + port);
            }
        }
        assertThat(services.get("index").list("ports")).as("queries and the web page").isNotEmpty();
        assertThat(services.get("ingest").list("ports")).as("uploads").isNotEmpty();
    }

    @Test
    void shouldDeclareEveryNamedVolume() {
        Map<String, Node> declared = Manifests.document(Manifests.COMPOSE.resolve("compose.yaml")).get("volumes").entries();
        services.entries().forEach((name, s) -> {
            for (Node v : s.list("volumes")) {
                String source = v.text().split(":")[0];
                if (!source.startsWith("/") && !source.startsWith(".")) {
                    assertThat(declared).as("volume %s of %s", source, name).containsKey(source);
                }
            }
        });
    }

    @Test
    void shouldPutTheEmbedderAndTrainerOnGpusWithTheCudaImage() {
        Node gpu = Manifests.document(Manifests.COMPOSE.resolve("compose.gpu.yaml")).get("services");
        assertThat(gpu.entries().keySet()).containsExactlyInAnyOrder(Roles.EMBEDDER.role, Roles.TRAINER.role);
        for (Node s : gpu.entries().values()) {
            assertThat(s.get("image").text()).isEqualTo(ImagesTest.cudaImage());
            List<Node> devices = s.get("deploy").get("resources").get("reservations").get("devices").items();
            assertThat(devices).anySatisfy(d -> {
                assertThat(d.get("driver").text()).isEqualTo("nvidia");
                assertThat(d.get("capabilities").items()).extracting(Node::text).contains("gpu");
            });
        }
    }
}
