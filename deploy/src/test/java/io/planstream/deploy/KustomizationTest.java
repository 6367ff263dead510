package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.planstream.deploy.Manifests.Resource;

/**
 * The kustomizations hold together: every file they name exists, every patch lands on an object of
 * the base (a JSON patch on a field it has), and where a kubectl or kustomize binary is installed every
 * overlay renders. Without one, the file checks and the parser tests of the other classes stand on
 * their own.
 */
class KustomizationTest {

    static List<Path> kustomizations() {
        return Manifests.kustomizations();
    }

    static List<Path> overlays() {
        return Manifests.overlays();
    }

    @Test
    void shouldHaveABaseAndTheCpuAndGpuOverlays() {
        assertThat(kustomizations()).contains(Manifests.BASE, Manifests.OVERLAYS.resolve("cpu-small"),
                Manifests.OVERLAYS.resolve("gpu"));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldNameOnlyFilesThatExist(Path dir) {
        List<String> named = named(dir);
        assertThat(named).as("files named by %s", dir).isNotEmpty();
        for (String name : named) {
            Path p = dir.resolve(name).normalize();
            assertThat(Files.isRegularFile(p) || Files.isRegularFile(p.resolve(Manifests.KUSTOMIZATION)))
                    .as("%s names %s, which is neither a file nor a kustomization", dir.resolve(Manifests.KUSTOMIZATION), name)
                    .isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldListEveryManifestOfItsFolder(Path dir) {
        Set<String> named = new HashSet<>(named(dir));
        try (var files = Files.list(dir)) {
            List<String> unlisted = files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") && !f.equals(Manifests.KUSTOMIZATION) && !named.contains(f))
                    .toList();
            assertThat(unlisted).as("manifests in %s that its kustomization never applies", dir).isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A patch whose target is missing fails kustomize; one whose kind or name drifted would do nothing. */
    @ParameterizedTest
    @MethodSource("overlays")
    void shouldPatchOnlyObjectsOfTheBase(Path overlay) {
        List<Resource> base = Manifests.resources(overlay);
        Set<String> present = base.stream().map(r -> r.kind() + "/" + r.name()).collect(Collectors.toSet());
        for (Node patch : Manifests.document(overlay.resolve(Manifests.KUSTOMIZATION)).list("patches")) {
            Optional<Node> target = patch.opt("target");
            List<String> targets = new ArrayList<>();
            if (target.isPresent()) {
                targets.add(target.get().get("kind").text() + "/" + target.get().get("name").text());
            } else {
                for (Resource r : Manifests.objects(overlay.resolve(patch.get("path").text()))) {
                    targets.add(r.kind() + "/" + r.name());
                }
            }
            assertThat(targets).as("targets of %s", patch).isNotEmpty();
            assertThat(present).as("objects of the base of %s", overlay).containsAll(targets);
        }
    }

    /**
     * kustomize applies a JSON patch's {@code replace} of a missing path as an {@code add}: a patch of a
     * field the base has renamed would set a new field beside it and change nothing, without a word. So
     * every replace, remove and test names a path the base's object has, and every add a parent it has
     * (the base before any of the overlay's patches: no patch here builds on another).
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void shouldPatchOnlyPathsTheBaseHas(Path overlay) {
        List<Resource> base = Manifests.resources(overlay);
        for (Node patch : Manifests.document(overlay.resolve(Manifests.KUSTOMIZATION)).list("patches")) {
            if (!patch.has("target") || !patch.has("path")) {
                continue;
            }
            Path file = overlay.resolve(patch.get("path").text());
            List<Object> docs = Manifests.documents(file);
            if (docs.size() != 1 || !(docs.get(0) instanceof List<?>)) {
                continue;
            }
            Node target = patch.get("target");
            Object object = Manifests.find(base, target.get("kind").text(), target.get("name").text()).node().raw();
            for (Node op : Node.of(docs.get(0), file.getFileName().toString()).items()) {
                String path = op.get("path").text();
                String checked = op.get("op").text().equals("add") ? path.substring(0, path.lastIndexOf('/')) : path;
                assertThat(at(object, checked))
                        .as("%s of %s in %s: no such path in the base", op.get("op").text(), path, file).isPresent();
            }
        }
    }

    @Test
    void shouldFindOnlyPathsThatExist() {
        Object object = Map.of("spec", Map.of("triggers", List.of(Map.of("metadata", Map.of("threshold", "900")))));
        assertThat(at(object, "/spec/triggers/0/metadata/threshold")).contains("900");
        assertThat(at(object, "/spec/triggers/0/metadata/lagThreshold")).isEmpty();
        assertThat(at(object, "/spec/triggers/1")).isEmpty();
        assertThat(at(object, "")).contains(object);
    }

    /** The value a JSON pointer (RFC 6901) names in parsed YAML, if there is one. */
    static Optional<Object> at(Object root, String pointer) {
        Object current = root;
        if (pointer.isEmpty()) {
            return Optional.of(current);
        }
        for (String token : pointer.substring(1).split("/", -1)) {
            String key = token.replace("~1", "/").replace("~0", "~");
            if (current instanceof Map<?, ?> m && m.containsKey(key)) {
                current = m.get(key);
            } else if (current instanceof List<?> l && key.matches("\\d+") && Integer.parseInt(key) < l.size()) {
                current = l.get(Integer.parseInt(key));
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(current);
    }

    @Test
    void shouldPutEveryObjectOfTheBaseInOneNamespace() {
        Node k = Manifests.document(Manifests.BASE.resolve(Manifests.KUSTOMIZATION));
        String namespace = k.get("namespace").text();
        Resource ns = Manifests.find(Manifests.resources(Manifests.BASE), "Namespace", namespace);
        assertThat(ns).isNotNull();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldRender(Path dir) {
        Optional<List<String>> renderer = Manifests.renderer();
        Assumptions.assumeTrue(renderer.isPresent(),
                "no kubectl or kustomize on the PATH: overlays are checked by the parser tests only");
        List<Resource> rendered = Manifests.render(renderer.get(), dir);
        assertThat(rendered).extracting(Resource::kind).contains("Namespace", "Kafka", "KafkaNodePool", "KafkaTopic",
                "Deployment", "StatefulSet", "Service", "ConfigMap", "ScaledObject", "PodMonitor",
                "PodDisruptionBudget");
        String namespace = Manifests.document(Manifests.BASE.resolve(Manifests.KUSTOMIZATION)).get("namespace").text();
        for (Resource r : rendered) {
            if (!r.kind().equals("Namespace")) {
                assertThat(r.node().get("metadata").get("namespace").text()).as("namespace of %s", r).isEqualTo(namespace);
            }
        }
        if (dir.equals(Manifests.OVERLAYS.resolve("cpu-small"))) {
            // The patch deletes the controller pool: the broker pool is the quorum.
            assertThat(Manifests.all(rendered, "KafkaNodePool")).singleElement()
                    .satisfies(pool -> assertThat(pool.node().get("spec").get("roles").raw())
                            .isEqualTo(List.of("controller", "broker")));
        }
    }

    /** The resources, components and patch files a kustomization names, as written. */
    private static List<String> named(Path dir) {
        Node k = Manifests.document(dir.resolve(Manifests.KUSTOMIZATION));
        List<String> named = new ArrayList<>();
        k.list("resources").forEach(n -> named.add(n.text()));
        k.list("components").forEach(n -> named.add(n.text()));
        k.list("patches").forEach(n -> n.opt("path").ifPresent(p -> named.add(p.text())));
        k.list("patchesStrategicMerge").forEach(n -> named.add(n.text()));
        return named;
    }
}
