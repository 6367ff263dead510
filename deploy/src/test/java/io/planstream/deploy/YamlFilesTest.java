package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.error.YAMLException;

class YamlFilesTest {

    static List<Path> yamlFiles() {
        return Manifests.yamlFiles();
    }

    @Test
    void shouldFindTheManifests() {
        assertThat(yamlFiles()).extracting(p -> Manifests.DEPLOY.relativize(p).toString().replace('\\', '/'))
                .contains("kubernetes/base/kustomization.yaml", "kubernetes/overlays/gpu/kustomization.yaml",
                        "kubernetes/overlays/cpu-small/kustomization.yaml", "compose/compose.yaml");
    }

    @ParameterizedTest
    @MethodSource("yamlFiles")
    void shouldParseEveryDocument(Path file) {
        List<Object> docs = Manifests.documents(file);
        assertThat(docs).as("documents of %s", file).isNotEmpty();
        assertThat(docs).as("documents of %s", file).allMatch(d -> d instanceof Map<?, ?> || d instanceof List<?>);
    }

    /** apiVersion, kind and a name: what kubectl needs before it can even look at the rest. */
    @ParameterizedTest
    @MethodSource("yamlFiles")
    void shouldNameEveryKubernetesObject(Path file) {
        if (!file.startsWith(Manifests.KUBERNETES)) {
            return;
        }
        for (Object doc : Manifests.documents(file)) {
            if (doc instanceof List<?>) {
                // A JSON 6902 patch: a list of operations, each with op and path.
                for (Node op : Node.of(doc, file.getFileName().toString()).items()) {
                    assertThat(op.get("op").text()).isIn("add", "remove", "replace", "move", "copy", "test");
                    assertThat(op.get("path").text()).startsWith("/");
                }
                continue;
            }
            Node n = Node.of(doc, file.getFileName().toString());
            assertThat(n.get("apiVersion").text()).as("%s apiVersion", file).matches("([a-z0-9.-]+/)?v\\d+((alpha|beta)\\d+)?");
            assertThat(n.get("kind").text()).as("%s kind", file).isNotBlank();
            if (!n.get("kind").text().equals("Kustomization")) {
                assertThat(n.get("metadata").get("name").text()).as("%s metadata.name", file).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
            }
        }
    }

    @Test
    void shouldRefuseADuplicateKey() {
        String manifest = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: planstream-config
                data:
                  KAFKA_BOOTSTRAP_SERVERS: a:9092
                  KAFKA_BOOTSTRAP_SERVERS: b:9092
                """;
        assertThatThrownBy(() -> Manifests.documents(new StringReader(manifest)))
                .isInstanceOf(YAMLException.class).hasMessageContaining("duplicate key");
    }

    @Test
    void shouldRefuseABrokenIndentation() {
        String manifest = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: planstream-ingest
                 labels:
                  app: x
                """;
        assertThatThrownBy(() -> Manifests.documents(new StringReader(manifest))).isInstanceOf(YAMLException.class);
    }
}
