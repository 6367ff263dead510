package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.planstream.deploy.Manifests.Resource;

/**
 * The two images and everything that names them: the tags the Dockerfiles' build commands give
 * (the project version), the image references of the manifests and compose files, and what the
 * image promises at run time (port, health path, data volume, user) against application.properties
 * and the manifests.
 */
class ImagesTest {

    static final String CPU = "Dockerfile";
    static final String CUDA = "Dockerfile.cuda";

    private static Dockerfile dockerfile(String name) {
        return Dockerfile.read(Manifests.DOCKER.resolve(name));
    }

    static String cpuImage() {
        return Roles.CPU_IMAGE_NAME + ":" + Manifests.projectVersion();
    }

    static String cudaImage() {
        return Roles.CUDA_IMAGE_NAME + ":" + Manifests.projectVersion();
    }

    @Test
    void shouldTagBothImagesWithTheProjectVersion() {
        assertThat(dockerfile(CPU).builtImage()).isEqualTo(cpuImage());
        assertThat(dockerfile(CUDA).builtImage()).isEqualTo(cudaImage());
    }

    /** Every reference to a Planstream image, in every manifest file and every rendered overlay, is one of the two. */
    @Test
    void shouldNameTheSameImagesEverywhere() {
        Set<String> referenced = new TreeSet<>();
        for (Path file : Manifests.yamlFiles()) {
            collectImages(Manifests.documents(file), referenced);
        }
        Manifests.renderer().ifPresent(r -> Manifests.kustomizations().forEach(dir -> Manifests.render(r, dir)
                .forEach(res -> collectImages(List.of(res.node().raw()), referenced))));
        List<String> ours = referenced.stream().filter(i -> i.startsWith("planstream/")).toList();
        assertThat(ours).as("Planstream images named by the manifests").isNotEmpty().containsOnly(cpuImage(), cudaImage());
        // And the compose files build each one from its own Dockerfile.
        for (Path file : List.of(Manifests.COMPOSE.resolve("compose.yaml"), Manifests.COMPOSE.resolve("compose.gpu.yaml"))) {
            for (Map.Entry<String, Node> service : Manifests.document(file).get("services").entries().entrySet()) {
                Node s = service.getValue();
                if (s.has("build")) {
                    String dockerfile = Path.of(s.get("build").get("dockerfile").text()).getFileName().toString();
                    assertThat(s.get("image").text()).as("image built for %s in %s", service.getKey(), file.getFileName())
                            .isEqualTo(dockerfile.equals(CUDA) ? cudaImage() : cpuImage());
                    Path context = file.getParent().resolve(s.get("build").get("context").text()).normalize();
                    assertThat(context).as("build context of %s", service.getKey()).isEqualTo(Manifests.ROOT);
                    assertThat(Files.isRegularFile(context.resolve(s.get("build").get("dockerfile").text()))).isTrue();
                }
            }
        }
    }

    @Test
    void shouldRunIngestAndIndexOnTheCpuImageInEveryOverlay() {
        List<List<Resource>> sets = new ArrayList<>();
        sets.add(Manifests.resources(Manifests.BASE));
        Manifests.renderer().ifPresent(r -> Manifests.kustomizations().forEach(dir -> sets.add(Manifests.render(r, dir))));
        for (List<Resource> set : sets) {
            for (Roles role : List.of(Roles.INGEST, Roles.INDEX)) {
                assertThat(Roles.container(role.in(set)).get("image").text()).isEqualTo(cpuImage());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, CUDA})
    void shouldServeOnTheApplicationsHttpPort(String name) {
        Dockerfile d = dockerfile(name);
        String port = String.valueOf(Manifests.httpPort());
        assertThat(d.single("EXPOSE").args()).isEqualTo(port);
        List<String> cmd = Dockerfile.execForm(d.single("CMD").args());
        assertThat(cmd.get(0)).isEqualTo("serve");
        assertThat(Dockerfile.option(cmd, "--port")).contains(port);
        // serve binds loopback unless told otherwise; a container must listen on every interface.
        assertThat(Dockerfile.option(cmd, "--host")).contains("0.0.0.0");
        String health = d.single("HEALTHCHECK").args();
        URI probe = URI.create(health.replaceAll(".*(http://\\S+).*", "$1"));
        assertThat(probe.getPort()).isEqualTo(Manifests.httpPort());
        assertThat(probe.getPath()).isEqualTo(WorkloadTest.READY);
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, CUDA})
    void shouldKeepTheDataDirectoryInTheVolume(String name) {
        Dockerfile d = dockerfile(name);
        List<String> volumes = Dockerfile.execForm(d.single("VOLUME").args());
        assertThat(volumes).hasSize(1);
        String volume = volumes.get(0);
        List<String> cmd = Dockerfile.execForm(d.single("CMD").args());
        assertThat(Dockerfile.option(cmd, "--data-dir")).contains(volume);
        assertThat(d.env()).containsEntry("PLANSTREAM_DATA_DIR", volume);
        Map<String, Node> config = Manifests.find(Manifests.resources(Manifests.BASE), "ConfigMap", "planstream-config")
                .node().get("data").entries();
        assertThat(config.get("PLANSTREAM_DATA_DIR").text()).isEqualTo(volume);
        Node compose = Manifests.document(Manifests.COMPOSE.resolve("compose.yaml")).get("services");
        for (Roles role : Roles.values()) {
            assertThat(compose.get(role.role).get("environment").get("PLANSTREAM_DATA_DIR").text()).isEqualTo(volume);
        }
    }

    /** A container's console is its log: all of it there, and no log file growing in the volume. */
    @ParameterizedTest
    @ValueSource(strings = {CPU, CUDA})
    void shouldLogToTheConsoleOnly(String name) {
        assertThat(dockerfile(name).env()).containsEntry("QUARKUS_LOG_CONSOLE_LEVEL", "ALL")
                .containsEntry("QUARKUS_LOG_FILE_ENABLED", "false");
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, CUDA})
    void shouldRunAsAnUnprivilegedUserWithNativesThatNeverDownload(String name) {
        Dockerfile d = dockerfile(name);
        String user = d.single("USER").args();
        assertThat(user).isNotIn("root", "0").doesNotStartWith("0:");
        // The manifests run the same uid, so a volume the image prepared stays writable.
        for (Roles role : Roles.values()) {
            Node security = Roles.podSpec(role.in(Manifests.resources(Manifests.BASE))).get("securityContext");
            assertThat(security.get("runAsUser").text()).isEqualTo(user);
            assertThat(security.get("runAsNonRoot").raw()).isEqualTo(true);
        }
        Map<String, String> env = d.env();
        assertThat(env).containsEntry("DJL_OFFLINE", "true").containsKey("PYTORCH_LIBRARY_PATH").containsKey("PYTORCH_FLAVOR");
        assertThat(Dockerfile.execForm(d.single("ENTRYPOINT").args())).containsExactly("/opt/planstream/planstream");
    }

    /** Base images are pinned by tag: a floating tag rebuilds into another image. */
    @ParameterizedTest
    @ValueSource(strings = {CPU, CUDA})
    void shouldPinEveryBaseImage(String name) {
        Dockerfile d = dockerfile(name);
        Map<String, String> args = d.args();
        List<String> stageNames = new ArrayList<>();
        for (Dockerfile.Instruction from : d.all("FROM")) {
            String[] parts = from.args().split("\\s+");
            String image = parts[0];
            if (image.startsWith("${")) {
                image = args.get(image.substring(2, image.length() - 1));
            }
            if (parts.length == 3) {
                stageNames.add(parts[2]);
            }
            assertThat(image).as("FROM %s in %s", from.args(), name).isNotNull().contains(":");
            assertThat(image.substring(image.lastIndexOf(':') + 1)).as("tag of %s", image).isNotIn("latest", "");
        }
        for (Dockerfile.Instruction copy : d.all("COPY")) {
            Optional<String> stage = java.util.Arrays.stream(copy.args().split("\\s+")).filter(a -> a.startsWith("--from="))
                    .map(a -> a.substring("--from=".length())).findFirst();
            stage.ifPresent(s -> assertThat(stageNames).as("stage of COPY %s", copy.args()).contains(s));
        }
    }

    /** What the Dockerfile copies from the context exists (or is the build's output) and the .dockerignore keeps it. */
    @ParameterizedTest
    @ValueSource(strings = {CPU, CUDA})
    void shouldCopyOnlyWhatTheBuildContextKeeps(String name) throws IOException {
        Dockerfile d = dockerfile(name);
        List<String> kept = Files.readAllLines(Manifests.DOCKER.resolve(name + ".dockerignore")).stream()
                .map(String::strip).filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
        assertThat(Files.readAllLines(Manifests.DOCKER.resolve(name + ".dockerignore"))).contains("*");
        for (Dockerfile.Instruction copy : d.all("COPY")) {
            String[] parts = copy.args().split("\\s+");
            if (parts[0].startsWith("--from=")) {
                continue;
            }
            String source = parts[0];
            assertThat(kept).as("%s.dockerignore keeps %s", name, source).contains(source);
            if (!source.equals("app/target/quarkus-app")) {
                assertThat(Manifests.ROOT.resolve(source)).as("COPY source %s", source).isRegularFile();
            }
        }
    }

    /**
     * The CUDA image stages PyTorch's libtorch of the project's pytorch.native.version, of a flavour
     * for which the project's own DJL JNI jar carries a library (a flavour DJL does not build would
     * make DJL download one at run time).
     */
    @Test
    void shouldStageTheCudaLibtorchTheProjectsJniIsBuiltFor() throws IOException {
        Map<String, String> args = dockerfile(CUDA).args();
        String version = System.getProperty("pytorch.native.version");
        assertThat(version).as("pytorch.native.version from the POM").isNotBlank();
        assertThat(args).containsEntry("LIBTORCH_VERSION", version);
        assertThat(args.get("LIBTORCH_SHA256")).matches("[0-9a-f]{64}");
        String flavor = args.get("LIBTORCH_FLAVOR");
        assertThat(flavor).matches("cu\\d{3}");
        assertThat(args.get("LIBTORCH_URL")).contains("${LIBTORCH_VERSION}").contains("${LIBTORCH_FLAVOR}");
        assertThat(args.get("CUDA_IMAGE")).as("the CUDA runtime the libtorch was built for")
                .contains(":" + flavor.charAt(2) + flavor.charAt(3) + "." + flavor.charAt(4));
        String jni = "jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so";
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(jni)) {
            assertThat(in).as("%s in the project's ai.djl.pytorch:pytorch-jni jar", jni).isNotNull();
        }
        // The build the header tells to run leaves the CPU libtorch out through simclr's profile.
        assertThat(dockerfile(CUDA).comments()).anyMatch(c -> c.contains("package -DskipTests -Dplanstream.gpu"));
        assertThat(Files.readString(Manifests.ROOT.resolve("simclr/pom.xml"))).contains("<name>!planstream.gpu</name>");
        assertThat(dockerfile(CUDA).env()).containsEntry("PYTORCH_FLAVOR", "${LIBTORCH_FLAVOR}");
        assertThat(dockerfile(CPU).env()).containsEntry("PYTORCH_FLAVOR", "cpu");
    }

    private static void collectImages(List<Object> docs, Set<String> out) {
        for (Object doc : docs) {
            walk(doc, out);
        }
    }

    private static void walk(Object node, Set<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if ("image".equals(k) && v instanceof String s) {
                    out.add(s);
                } else {
                    walk(v, out);
                }
            });
        } else if (node instanceof List<?> l) {
            l.forEach(v -> walk(v, out));
        }
    }
}
