package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.planstream.deploy.Manifests.Resource;
import io.planstream.platform.TopicNames;
import io.planstream.platform.TopicSpec;
import io.planstream.platform.Topics;

/**
 * The Kafka cluster and its topics as Strimzi will create them agree with what the application
 * would create itself (io.planstream.platform.Topics): a partition count, a cleanup policy or a size
 * limit that drifts apart fails here.
 */
class KafkaManifestTest {

    /** The registry's own journal (Apicurio's kafkasql storage), the one topic the application does not know. */
    static final String REGISTRY_JOURNAL = "kafkasql-journal";

    private final List<Resource> base = Manifests.resources(Manifests.BASE);

    private Map<String, String> config() {
        Map<String, String> data = new TreeMap<>();
        Manifests.find(base, "ConfigMap", "planstream-config").node().get("data").entries().forEach((k, v) -> data.put(k, v.text()));
        return data;
    }

    private Resource kafka() {
        List<Resource> clusters = Manifests.all(base, "Kafka");
        assertThat(clusters).hasSize(1);
        return clusters.get(0);
    }

    private List<TopicSpec> specs() {
        Map<String, String> config = config();
        // The serdes are configured but never used here: no registry is contacted.
        return Topics.create(Map.of("schema.registry.url", "http://127.0.0.1:9"),
                Integer.parseInt(config.get("PLANSTREAM_TOPICS_PARTITIONS")),
                Short.parseShort(config.get("PLANSTREAM_TOPICS_REPLICATION_FACTOR"))).specs();
    }

    @Test
    void shouldRunKraftWithThreeBrokersAndAQuorumOfThree() {
        String cluster = kafka().name();
        List<Resource> pools = Manifests.all(base, "KafkaNodePool");
        assertThat(pools).allSatisfy(p -> assertThat(p.node().get("metadata").get("labels").get("strimzi.io/cluster").text())
                .isEqualTo(cluster));
        int brokers = 0;
        int controllers = 0;
        for (Resource pool : pools) {
            List<Object> roles = pool.node().get("spec").get("roles").items().stream().map(Node::raw).toList();
            int replicas = pool.node().get("spec").get("replicas").integer();
            brokers += roles.contains("broker") ? replicas : 0;
            controllers += roles.contains("controller") ? replicas : 0;
        }
        assertThat(brokers).isEqualTo(3);
        assertThat(controllers).as("a KRaft quorum survives one loss from three").isGreaterThanOrEqualTo(3).isOdd();

        Node config = kafka().node().get("spec").get("kafka").get("config");
        int rf = Integer.parseInt(config().get("PLANSTREAM_TOPICS_REPLICATION_FACTOR"));
        assertThat(rf).isLessThanOrEqualTo(brokers);
        assertThat(config.get("transaction.state.log.replication.factor").integer()).isEqualTo(rf);
        assertThat(config.get("offsets.topic.replication.factor").integer()).isEqualTo(rf);
        assertThat(config.get("default.replication.factor").integer()).as("Kafka Streams' own topics").isEqualTo(rf);
        assertThat(config.get("min.insync.replicas").integer()).isEqualTo(rf - 1);
        assertThat(kafka().node().get("spec").get("entityOperator").entries()).as("KafkaTopic resources need the topic operator")
                .containsKey("topicOperator");
    }

    @Test
    void shouldDeclareEveryTopicAsTheApplicationWouldCreateIt() {
        Map<String, Resource> topics = Manifests.all(base, "KafkaTopic").stream()
                .collect(Collectors.toMap(KafkaManifestTest::topicName, t -> t));
        List<TopicSpec> specs = specs();
        assertThat(specs).extracting(TopicSpec::name).contains(TopicNames.IMAGES, TopicNames.EMBEDDINGS, TopicNames.MODELS,
                TopicNames.MODEL_ARTIFACTS, TopicNames.DEAD_LETTERS);
        for (TopicSpec spec : specs) {
            Resource topic = topics.get(spec.name());
            assertThat(topic).as("KafkaTopic for %s", spec.name()).isNotNull();
            Node s = topic.node().get("spec");
            assertThat(s.get("partitions").integer()).as("partitions of %s", spec.name()).isEqualTo(spec.partitions());
            assertThat(s.get("replicas").integer()).as("replicas of %s", spec.name()).isEqualTo(spec.replicationFactor());
            Map<String, String> declared = new TreeMap<>();
            s.opt("config").ifPresent(c -> c.entries().forEach((k, v) -> declared.put(k, v.text())));
            assertThat(declared).as("config of %s", spec.name()).isEqualTo(new TreeMap<>(spec.configs()));
            assertThat(topic.node().get("metadata").get("labels").get("strimzi.io/cluster").text()).isEqualTo(kafka().name());
        }
    }

    /**
     * The schemas topic of the embedded registry is absent on purpose: the cluster's roles use the
     * external registry (SCHEMA_REGISTRY_URL), whose journal is declared instead.
     */
    @Test
    void shouldDeclareNoTopicBeyondTheApplicationsAndTheRegistrys() {
        List<String> declared = Manifests.all(base, "KafkaTopic").stream().map(KafkaManifestTest::topicName).toList();
        List<String> known = new ArrayList<>(specs().stream().map(TopicSpec::name).toList());
        known.add(REGISTRY_JOURNAL);
        assertThat(declared).containsExactlyInAnyOrderElementsOf(known).doesNotContain(TopicNames.SCHEMAS);
        assertThat(config()).containsKey("SCHEMA_REGISTRY_URL");
        Resource registry = Manifests.find(base, "Deployment", "planstream-registry");
        Node c = registry.node().get("spec").get("template").get("spec").get("containers").items().get(0);
        assertThat(c.get("env").item("name", "APICURIO_KAFKASQL_TOPIC").get("value").text()).isEqualTo(REGISTRY_JOURNAL);
    }

    @Test
    void shouldPointEveryClientAtTheClustersBootstrapService() {
        Node plain = kafka().node().get("spec").get("kafka").get("listeners").item("name", "plain");
        assertThat(plain.get("tls").raw()).isEqualTo(false);
        // Strimzi names the bootstrap Service <cluster>-kafka-bootstrap.
        String bootstrap = kafka().name() + "-kafka-bootstrap:" + plain.get("port").integer();
        assertThat(config()).containsEntry("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        Resource registry = Manifests.find(base, "Deployment", "planstream-registry");
        Node c = registry.node().get("spec").get("template").get("spec").get("containers").items().get(0);
        assertThat(c.get("env").item("name", "APICURIO_KAFKASQL_BOOTSTRAP_SERVERS").get("value").text()).isEqualTo(bootstrap);
    }

    @Test
    void shouldReachTheRegistryThroughItsConfluentCompatibleApi() {
        URI url = URI.create(config().get("SCHEMA_REGISTRY_URL"));
        assertThat(url.getPath()).isEqualTo("/apis/ccompat/v7");
        Resource service = Manifests.find(base, "Service", url.getHost());
        Node port = service.node().get("spec").get("ports").items().get(0);
        assertThat(port.get("port").integer()).isEqualTo(url.getPort());
        Resource registry = Manifests.find(base, "Deployment", "planstream-registry");
        Node labels = registry.node().get("spec").get("template").get("metadata").get("labels");
        service.node().get("spec").get("selector").entries()
                .forEach((k, v) -> assertThat(labels.get(k).text()).as("registry pod label %s", k).isEqualTo(v.text()));
    }

    static String topicName(Resource topic) {
        return topic.node().get("spec").opt("topicName").map(Node::text).orElse(topic.name());
    }
}
