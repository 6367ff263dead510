package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.planstream.deploy.Manifests.Resource;

/**
 * The gpu overlay puts the embedder and the trainer, and only them, on a GPU with the CUDA image;
 * the cpu-small overlay asks for none. Checked on the patch files always, on the rendered overlays
 * where kubectl or kustomize is installed.
 */
class GpuOverlayTest {

    static final String GPU = "nvidia.com/gpu";
    static final Path GPU_OVERLAY = Manifests.OVERLAYS.resolve("gpu");
    static final Path CPU_OVERLAY = Manifests.OVERLAYS.resolve("cpu-small");
    static final List<Roles> ON_GPU = List.of(Roles.EMBEDDER, Roles.TRAINER);

    @Test
    void shouldPatchTheEmbedderAndTrainerOntoAGpuWithTheCudaImage() {
        List<Resource> patched = Manifests.document(GPU_OVERLAY.resolve(Manifests.KUSTOMIZATION)).list("patches").stream()
                .filter(p -> !p.has("target"))
                .flatMap(p -> Manifests.objects(GPU_OVERLAY.resolve(p.get("path").text())).stream())
                .toList();
        for (Roles role : ON_GPU) {
            Resource patch = role.in(patched);
            Node c = Roles.container(patch);
            assertThat(c.get("resources").get("limits").get(GPU).integer()).as("GPUs of %s", patch).isGreaterThanOrEqualTo(1);
            assertThat(c.get("image").text()).isEqualTo(ImagesTest.cudaImage());
            assertThat(Roles.podSpec(patch).get("tolerations").items())
                    .anySatisfy(t -> assertThat(t.get("key").text()).isEqualTo(GPU));
        }
        assertThat(patched).extracting(Resource::name).doesNotContain(Roles.INGEST.workload, Roles.INDEX.workload);
    }

    @Test
    void shouldAskForNoGpuInTheCpuOverlayOrTheBase() throws Exception {
        for (Path dir : List.of(CPU_OVERLAY, Manifests.BASE)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    assertThat(Files.readString(f)).as("%s", f).doesNotContain(GPU + ":").doesNotContain(Roles.CUDA_IMAGE_NAME + ":");
                }
            }
        }
    }

    @Test
    void shouldRenderGpusForTheEmbedderAndTrainerOnly() {
        Optional<List<String>> renderer = Manifests.renderer();
        Assumptions.assumeTrue(renderer.isPresent(), "no kubectl or kustomize on the PATH: the patch files were checked instead");
        List<Resource> gpu = Manifests.render(renderer.get(), GPU_OVERLAY);
        for (Roles role : Roles.values()) {
            Node c = Roles.container(role.in(gpu));
            Optional<Node> gpus = c.get("resources").opt("limits").flatMap(l -> l.opt(GPU));
            if (ON_GPU.contains(role)) {
                assertThat(gpus).as("GPUs of %s", role).hasValueSatisfying(n -> assertThat(n.integer()).isGreaterThanOrEqualTo(1));
                assertThat(c.get("image").text()).isEqualTo(ImagesTest.cudaImage());
            } else {
                assertThat(gpus).as("GPUs of %s", role).isEmpty();
                assertThat(c.get("image").text()).isEqualTo(ImagesTest.cpuImage());
            }
        }
        // No spare GPU for a surge pod: the embedder rolls one replica at a time.
        Node rolling = Roles.EMBEDDER.in(gpu).node().get("spec").get("strategy").get("rollingUpdate");
        assertThat(rolling.get("maxSurge").integer()).isZero();
        for (Resource r : Manifests.render(renderer.get(), CPU_OVERLAY)) {
            assertThat(r.node().raw().toString()).as("%s", r).doesNotContain(GPU);
        }
    }
}
