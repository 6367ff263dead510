package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.planstream.deploy.Manifests.Resource;

/**
 * Every environment variable the manifests give the application is a setting it reads: the name a
 * documented property (README.md, "Configuration") takes as an environment variable, by the rule
 * Quarkus applies (every character other than a letter or digit becomes _, then upper case). A typo
 * such as PLANSTREAM_TOPIC_PARTITIONS would otherwise be ignored without a word.
 */
class SettingsTest {

    /** Read by the process around the application rather than by it: libtorch's threads, the launcher's JVM options. */
    static final Set<String> PROCESS = Set.of("OMP_NUM_THREADS", "PLANSTREAM_JAVA_OPTS");

    private static final Pattern ROW = Pattern.compile("^\\|\\s*(`[^|]+)\\|");
    private static final Pattern NAME = Pattern.compile("`([^`]+)`");

    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** The properties of README.md's configuration table, {@code a.b.c} / {@code d} shorthand expanded to a.b.d. */
    static Set<String> documentedProperties() throws IOException {
        Set<String> out = new TreeSet<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(Manifests.ROOT.resolve("README.md"))) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Configuration");
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (!inSection || !row.find()) {
                continue;
            }
            String prefix = "";
            Matcher name = NAME.matcher(row.group(1));
            while (name.find()) {
                String n = name.group(1);
                if (n.contains(".")) {
                    prefix = n.substring(0, n.lastIndexOf('.') + 1);
                    out.add(n);
                } else {
                    out.add(prefix + n);
                }
            }
        }
        return out;
    }

    /** Variable name -> where it is set, for every container of the application image. */
    static Map<String, String> applicationEnvironment() {
        Map<String, String> out = new TreeMap<>();
        for (Path file : Manifests.yamlFiles()) {
            if (file.startsWith(Manifests.KUBERNETES)) {
                for (Resource r : Manifests.objects(file)) {
                    if (r.kind().equals("ConfigMap") && r.name().equals("planstream-config")) {
                        r.node().get("data").entries().keySet().forEach(k -> out.put(k, r.toString()));
                    }
                    // Workloads of the base and the overlays' patches of them, which may leave out what they keep.
                    r.node().opt("spec").flatMap(s -> s.opt("template")).flatMap(t -> t.opt("spec"))
                            .flatMap(s -> s.opt("containers")).stream().flatMap(c -> c.items().stream())
                            .filter(c -> c.get("name").text().equals(Roles.CONTAINER))
                            .forEach(c -> c.list("env").forEach(e -> out.put(e.get("name").text(), r.toString())));
                }
            } else if (file.startsWith(Manifests.COMPOSE)) {
                Manifests.document(file).get("services").entries().forEach((service, s) -> {
                    boolean ours = s.opt("image").map(Node::text).filter(i -> i.startsWith("planstream/")).isPresent();
                    if (ours) {
                        s.opt("environment").ifPresent(env -> env.entries().keySet()
                                .forEach(k -> out.put(k, Manifests.DEPLOY.relativize(file) + " " + service)));
                    }
                });
            }
        }
        return out;
    }

    @Test
    void shouldReadTheConfigurationTable() throws IOException {
        assertThat(documentedProperties()).contains("kafka.bootstrap.servers", "schema.registry.url", "planstream.roles",
                "planstream.data-dir", "planstream.topics.partitions", "planstream.topics.replication-factor",
                "planstream.embedder.device", "planstream.trainer.device", "quarkus.http.host", "quarkus.http.port");
    }

    @Test
    void shouldSetOnlySettingsTheApplicationReads() throws IOException {
        Set<String> known = new TreeSet<>(PROCESS);
        documentedProperties().forEach(p -> known.add(envName(p)));
        Map<String, String> used = applicationEnvironment();
        assertThat(used).containsKeys("KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL", "PLANSTREAM_ROLES",
                "PLANSTREAM_TOPICS_PARTITIONS", "PLANSTREAM_TOPICS_REPLICATION_FACTOR", "PLANSTREAM_DATA_DIR", "QUARKUS_HTTP_HOST");
        used.forEach((name, where) -> assertThat(known).as("%s, set in %s, is no setting the application reads", name, where)
                .contains(name));
    }

    @Test
    void shouldMapPropertiesToTheNamesQuarkusReads() {
        assertThat(envName("planstream.topics.replication-factor")).isEqualTo("PLANSTREAM_TOPICS_REPLICATION_FACTOR");
        assertThat(envName("kafka.bootstrap.servers")).isEqualTo("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(envName("schema.registry.url")).isEqualTo("SCHEMA_REGISTRY_URL");
    }
}
