package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.planstream.deploy.Manifests.Resource;

/**
 * The roles' workloads agree with the application: the health and metrics paths Quarkus serves, the
 * port application.properties sets, the settings each role reads, the lag metric the embedder exports,
 * and the index's disruption budget. Run on the base's files and on every rendered kustomization.
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
                    .filter(s -> selects(s.node().get("spec").get("selector"), labels))
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
    void shouldScaleTheEmbedderOnTheLagOfEveryLiveVersion(Roles.ManifestSet set) {
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

        // One trigger, on the embedders' own metric: no trigger names one version's consumer group.
        assertThat(spec.get("triggers").items()).extracting(t -> t.get("type").text()).containsExactly("prometheus");
        Node trigger = spec.get("triggers").item("type", "prometheus").get("metadata");
        // A Service by its full name: KEDA's operator runs in a namespace of its own.
        assertThat(trigger.get("serverAddress").text())
                .matches("https?://[a-z0-9-]+\\.[a-z0-9-]+\\.svc(\\.cluster\\.local)?:\\d+");
        String series = Manifests.embedderLagSeries();
        assertThat(series).as("the name deploy/README.md documents").isEqualTo("planstream_embedder_lag");
        String query = trigger.get("query").text();
        assertThat(query).contains(series);
        String version = Manifests.embedderLagConstant("VERSION_TAG");
        String selector = "{namespace=\"" + namespace(scaled.get(0)) + "\"}";
        assertThat(query.replaceAll("\\s+", ""))
                .as("every replica reports its version's group lag (max by version), and a roll-out's versions"
                        + " share the replicas (sum over versions), in this installation's namespace only: %s", query)
                .isEqualTo("sum(maxby(" + version + ")(" + series + selector + "))");
        assertThat(trigger.get("threshold").integer()).isPositive();
        assertThat(trigger.get("ignoreNullValues").text()).as("an empty answer is an error, not a lag of 0")
                .isEqualTo("false");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldLetThePrometheusOperatorScrapeEveryRole(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        List<Resource> monitors = Manifests.all(objects, "PodMonitor");
        assertThat(monitors).hasSize(1);
        Resource monitor = monitors.get(0);
        Node spec = monitor.node().get("spec");
        assertThat(spec.has("namespaceSelector")).as("%s scrapes its own namespace, the embedders'", monitor).isFalse();
        Node selector = spec.get("selector").get("matchLabels");
        Node endpoint = spec.get("podMetricsEndpoints").items().get(0);
        assertThat(endpoint.get("path").text()).isEqualTo(METRICS);
        for (Roles role : Roles.values()) {
            Resource w = role.in(objects);
            assertThat(selects(selector, podLabels(w))).as("%s selects the pods of %s", monitor, w).isTrue();
            assertThat(Roles.port(Roles.container(w), endpoint.get("port"))).as("metrics port of %s", w)
                    .isEqualTo(Manifests.httpPort());
        }
        // Nothing else is scraped at /q/metrics: the schema registry is part of planstream, not of the app image.
        List<String> roles = Arrays.stream(Roles.values()).map(r -> r.workload).toList();
        for (Resource w : workloads(objects)) {
            if (selects(selector, podLabels(w))) {
                assertThat(roles).as("workloads %s scrapes", monitor).contains(w.name());
            }
        }
        String interval = endpoint.get("interval").text();
        assertThat(interval).matches("\\d+s");
        int polling = Manifests.all(objects, "ScaledObject").get(0).node().get("spec").get("pollingInterval").integer();
        assertThat(Integer.parseInt(interval.substring(0, interval.length() - 1)))
                .as("seconds between scrapes, at most KEDA's polling interval").isBetween(1, polling);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestSets")
    void shouldLetDisruptionsTakeOneIndexReplicaAtATime(Roles.ManifestSet set) {
        List<Resource> objects = set.get();
        Resource index = Roles.INDEX.in(objects);
        List<Resource> budgets = Manifests.all(objects, "PodDisruptionBudget");
        assertThat(budgets).hasSize(1);
        Node spec = budgets.get(0).node().get("spec");
        Node selector = spec.get("selector");
        assertThat(selector.entries().keySet()).as("a selector of labels only").containsExactly("matchLabels");
        assertThat(selector.get("matchLabels").raw()).as("the index pods' labels, as the StatefulSet selects them")
                .isEqualTo(index.node().get("spec").get("selector").get("matchLabels").raw());
        for (Resource w : workloads(objects)) {
            if (!w.equals(index)) {
                assertThat(selects(selector.get("matchLabels"), podLabels(w)))
                        .as("the index's budget selects the pods of %s", w).isFalse();
            }
        }
        assertThat(spec.get("maxUnavailable").integer()).isEqualTo(1);
        assertThat(spec.has("minAvailable")).as("minAvailable would block every drain of a single replica").isFalse();
        // What "available" means to the budget: ready, which an index replica is once it has caught up.
        assertThat(Roles.container(index).get("readinessProbe").get("httpGet").get("path").text()).isEqualTo(READY);
    }

    /** Whether a label selector picks a pod with these labels. */
    static boolean selects(Node matchLabels, Node labels) {
        return matchLabels.entries().entrySet().stream()
                .allMatch(e -> labels.has(e.getKey()) && labels.get(e.getKey()).text().equals(e.getValue().text()));
    }

    private static Node podLabels(Resource workload) {
        return workload.node().get("spec").get("template").get("metadata").get("labels");
    }

    private static List<Resource> workloads(List<Resource> objects) {
        return objects.stream().filter(r -> List.of("Deployment", "StatefulSet", "DaemonSet").contains(r.kind()))
                .toList();
    }

    /** The namespace of a rendered object, or for the base's files the one its kustomization sets. */
    private static String namespace(Resource r) {
        Path kustomization = Manifests.BASE.resolve(Manifests.KUSTOMIZATION);
        return r.node().get("metadata").opt("namespace").map(Node::text)
                .orElseGet(() -> Manifests.document(kustomization).get("namespace").text());
    }
}
