package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * the base, and where a kubectl or kustomize binary is installed every overlay renders. Without one,
 * the first two checks and the parser tests of the other classes stand on their own.
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
                "Deployment", "StatefulSet", "Service", "ConfigMap", "ScaledObject");
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
