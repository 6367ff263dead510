package io.planstream.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.junit.jupiter.params.provider.Arguments;

import io.planstream.deploy.Manifests.Resource;

/** The four roles of the application image as the Kubernetes manifests run them. */
enum Roles {
    INGEST("ingest", "Deployment", "planstream-ingest"),
    EMBEDDER("embedder", "Deployment", "planstream-embedder"),
    INDEX("index", "StatefulSet", "planstream-index"),
    TRAINER("trainer", "Deployment", "planstream-trainer");

    /** The container of the application image in every workload. */
    static final String CONTAINER = "planstream";
    static final String CPU_IMAGE_NAME = "planstream/planstream";
    static final String CUDA_IMAGE_NAME = "planstream/planstream-cuda";

    final String role;
    final String kind;
    final String workload;

    Roles(String role, String kind, String workload) {
        this.role = role;
        this.kind = kind;
        this.workload = workload;
    }

    Resource in(List<Resource> objects) {
        return Manifests.find(objects, kind, workload);
    }

    static Node podSpec(Resource workload) {
        return workload.node().get("spec").get("template").get("spec");
    }

    static Node container(Resource workload) {
        return podSpec(workload).get("containers").item("name", CONTAINER);
    }

    /** The container's environment as the kubelet builds it: envFrom ConfigMaps first, then env over them. */
    static Map<String, String> environment(List<Resource> objects, Resource workload) {
        Node c = container(workload);
        Map<String, String> env = new LinkedHashMap<>();
        for (Node from : c.list("envFrom")) {
            String name = from.get("configMapRef").get("name").text();
            Manifests.find(objects, "ConfigMap", name).node().get("data").entries().forEach((k, v) -> env.put(k, v.text()));
        }
        for (Node e : c.list("env")) {
            env.put(e.get("name").text(), e.opt("value").map(Node::text).orElse("<from " + e.opt("valueFrom").map(Node::raw) + ">"));
        }
        return env;
    }

    /** The port number a probe or Service names, by number or by the container's port name. */
    static int port(Node container, Node port) {
        if (port.raw() instanceof Integer i) {
            return i;
        }
        return container.get("ports").item("name", port.text()).get("containerPort").integer();
    }

    /**
     * The sets of objects the role checks run on: the base as its files list them, and every
     * kustomization as kubectl renders it. A set is rendered when a test first asks for it, so an
     * overlay that fails to render fails those tests alone; where neither kubectl nor kustomize is
     * installed, the rendered sets' cases are skipped with that reason rather than left out, so the
     * test report shows what was not checked.
     */
    static List<Arguments> manifestSets() {
        List<Arguments> sets = new ArrayList<>();
        sets.add(Arguments.of(new ManifestSet("base (files)", () -> Manifests.resources(Manifests.BASE))));
        Optional<List<String>> renderer = Manifests.renderer();
        for (Path dir : Manifests.kustomizations()) {
            String name = Manifests.DEPLOY.relativize(dir) + " (rendered)";
            sets.add(Arguments.of(new ManifestSet(name, () -> {
                assumeTrue(renderer.isPresent(), "no kubectl or kustomize on the PATH: " + name + " is not rendered");
                return Manifests.render(renderer.get(), dir);
            })));
        }
        return sets;
    }

    /** A named set of objects, read on first use. */
    record ManifestSet(String name, Supplier<List<Resource>> objects) {

        List<Resource> get() {
            return objects.get();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
