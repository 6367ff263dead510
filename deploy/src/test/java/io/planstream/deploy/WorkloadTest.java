package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.planstream.deploy.Manifests.Resource;
import io.planstream.platform.TopicNames;

/**
 * The roles' workloads agree with the application: the health and metrics paths Quarkus serves, the
 * port application.properties sets, the settings each role reads, the topics and consumer groups
 * the embedder uses. Run on the base's files and on every rendered kustomization.
 */
class WorkloadTest {

    static final String READY = "/q/health/ready";
    static final String LIVE = "/q/health/live";
    static final String METRICS = "/q/metrics";

    static List<Arguments> manifestSets() {
        return Roles.manifestSets();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldRunEveryRoleInAWorkloadOfItsOwn(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        for (Roles role : Roles.values()) {
            Resource w = role.in(objects);
            assertThat(Roles.environment(objects, w)).as("environment of %s", w).containsEntry("PLANSTREAM_ROLES", role.role);
            Node selector = w.node().get("spec").get("selector").get("matchLabels");
            Node labels = w.node().get("spec").get("template").get("metadata").get("labels");
            selector.entries().forEach((k, v) -> assertThat(labels.get(k).text()).as("pod label %s of %s", k, w).isEqualTo(v.text()));
        }
        // The trainers fence each other: exactly one, and never two at once during a roll-out.
        Resource trainer = Roles.TRAINER.in(objects);
        assertThat(trainer.node().get("spec").get("replicas").integer()).isEqualTo(1);
        assertThat(trainer.node().get("spec").get("strategy").get("type").text()).isEqualTo("Recreate");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldProbeTheApplicationsHealthOnItsHttpPort(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        int port = Manifests.httpPort();
        for (Roles role : Roles.values()) {
            Resource w = role.in(objects);
            Node c = Roles.container(w);
            assertThat(c.get("ports").items()).as("ports of %s", w)
                    .anySatisfy(p -> assertThat(p.get("containerPort").integer()).isEqualTo(port));
            Node ready = c.get("readinessProbe").get("httpGet");
            Node live = c.get("livenessProbe").get("httpGet");
            assertThat(ready.get("path").text()).as("readiness of %s", w).isEqualTo(READY);
            assertThat(live.get("path").text()).as("liveness of %s", w).isEqualTo(LIVE);
            assertThat(Roles.port(c, ready.get("port"))).as("readiness port of %s", w).isEqualTo(port);
            assertThat(Roles.port(c, live.get("port"))).as("liveness port of %s", w).isEqualTo(port);
            c.opt("startupProbe").ifPresent(s -> assertThat(s.get("httpGet").get("path").text()).isIn(READY, LIVE));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldLetPrometheusScrapeEveryRole(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        for (Roles role : Roles.values()) {
            Resource w = role.in(objects);
            Node annotations = w.node().get("spec").get("template").get("metadata").get("annotations");
            assertThat(annotations.get("prometheus.io/scrape").text()).isEqualTo("true");
            assertThat(annotations.get("prometheus.io/path").text()).as("metrics path of %s", w).isEqualTo(METRICS);
            assertThat(annotations.get("prometheus.io/port").integer()).as("metrics port of %s", w).isEqualTo(Manifests.httpPort());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldExposeEveryRoleThroughAService(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        int port = Manifests.httpPort();
        for (Roles role : Roles.values()) {
            Resource w = role.in(objects);
            Node labels = w.node().get("spec").get("template").get("metadata").get("labels");
            List<Resource> services = Manifests.all(objects, "Service").stream()
                    .filter(s -> s.node().get("spec").get("selector").entries().entrySet().stream()
                            .allMatch(e -> labels.has(e.getKey()) && labels.get(e.getKey()).text().equals(e.getValue().text())))
                    .toList();
            assertThat(services).as("Services selecting the pods of %s", w).isNotEmpty();
            for (Resource s : services) {
                Node p = s.node().get("spec").get("ports").items().get(0);
                assertThat(Roles.port(Roles.container(w), p.get("targetPort"))).as("target port of %s", s).isEqualTo(port);
            }
        }
        Resource index = Roles.INDEX.in(objects);
        String headless = index.node().get("spec").get("serviceName").text();
        assertThat(Manifests.find(objects, "Service", headless).node().get("spec").get("clusterIP").text()).isEqualTo("None");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldGiveEveryRoleTheClusterSettings(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        for (Roles role : Roles.values()) {
            Resource w = role.in(objects);
            Map<String, String> env = Roles.environment(objects, w);
            assertThat(env).as("environment of %s", w)
                    .containsKeys("KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL", "PLANSTREAM_TOPICS_PARTITIONS",
                            "PLANSTREAM_TOPICS_REPLICATION_FACTOR", "PLANSTREAM_DATA_DIR")
                    .containsEntry("QUARKUS_HTTP_HOST", "0.0.0.0");
            String dataDir = env.get("PLANSTREAM_DATA_DIR");
            assertThat(Roles.container(w).get("volumeMounts").items()).as("volumes of %s", w)
                    .anySatisfy(m -> assertThat(m.get("mountPath").text()).isEqualTo(dataDir));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldKeepTheIndexOnVolumesOfItsOwn(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        Resource index = Roles.INDEX.in(objects);
        List<Node> claims = index.node().get("spec").get("volumeClaimTemplates").items();
        assertThat(claims).isNotEmpty();
        String dataDir = Roles.environment(objects, index).get("PLANSTREAM_DATA_DIR");
        Node mount = Roles.container(index).get("volumeMounts").item("mountPath", dataDir);
        assertThat(claims).extracting(c -> c.get("metadata").get("name").text()).contains(mount.get("name").text());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldScaleTheEmbedderOnTheLagOfItsConsumerGroup(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        List<Resource> scaled = Manifests.all(objects, "ScaledObject");
        assertThat(scaled).hasSize(1);
        Node spec = scaled.get(0).node().get("spec");
        Resource embedder = Roles.EMBEDDER.in(objects);
        assertThat(spec.get("scaleTargetRef").get("name").text()).isEqualTo(embedder.name());
        assertThat(spec.get("scaleTargetRef").opt("kind").map(Node::text).orElse("Deployment")).isEqualTo(embedder.kind());
        Map<String, String> env = Roles.environment(objects, embedder);
        int partitions = Integer.parseInt(env.get("PLANSTREAM_TOPICS_PARTITIONS"));
        assertThat(spec.get("minReplicaCount").integer()).isGreaterThanOrEqualTo(1);
        assertThat(spec.get("maxReplicaCount").integer()).as("embedders beyond the partitions of images idle")
                .isBetween(spec.get("minReplicaCount").integer(), partitions);

        Node trigger = spec.get("triggers").item("type", "kafka").get("metadata");
        assertThat(trigger.get("topic").text()).isEqualTo(TopicNames.IMAGES);
        assertThat(trigger.get("consumerGroup").text()).matches(Pattern.quote(TopicNames.EMBEDDER_APPLICATION_PREFIX) + "\\d+");
        assertThat(trigger.get("allowIdleConsumers").text()).isEqualTo("false");
        assertThat(trigger.get("excludePersistentLag").text()).isEqualTo("true");
        // The same Service as the roles', by its full name: KEDA's operator runs in a namespace of its own.
        String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
        String namespace = scaled.get(0).node().get("metadata").opt("namespace").map(Node::text)
                .orElseGet(() -> Manifests.document(Manifests.BASE.resolve(Manifests.KUSTOMIZATION)).get("namespace").text());
        assertThat(trigger.get("bootstrapServers").text()).isEqualTo(bootstrap.replaceFirst(":", "." + namespace + ".svc:"));
        assertThat(trigger.get("lagThreshold").integer()).isPositive();
    }
}
