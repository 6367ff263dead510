package io.planstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/docker/stage-libtorch.sh, which both Dockerfiles run at build time, on small stand-ins for
 * the application's DJL jars and PyTorch's CUDA archive laid out as the real ones are: it keeps the
 * libraries DJL needs, pairs them with the JNI library of the same flavour, and refuses a libtorch
 * of another version or a flavour the JNI jar lacks, so a wrong pin fails the image build instead of
 * the first forward pass.
 */
class StageLibtorchScriptTest {

    static final Path SCRIPT = Manifests.DOCKER.resolve("stage-libtorch.sh");
    static final String TORCH = "2.7.1";
    static final String DJL = "0.36.0";

    @TempDir
    Path tmp;
    Path app;
    Path nativeJar;

    @BeforeEach
    void fakeApplication() throws IOException {
        for (String tool : List.of("sh", "unzip", "zip")) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not installed: the script is not run here");
        }
        app = tmp.resolve("quarkus-app");
        Path lib = Files.createDirectories(app.resolve("lib/main"));
        zip(lib.resolve("ai.djl.pytorch.pytorch-jni-" + TORCH + "-" + DJL + ".jar"), Map.of(
                "jnilib/pytorch.properties", "jni_version=" + TORCH + "-" + DJL + "\n",
                "jnilib/linux-x86_64/cpu/libdjl_torch.so", "jni cpu",
                "jnilib/linux-x86_64/cu128/libdjl_torch.so", "jni cu128"));
        nativeJar = lib.resolve("ai.djl.pytorch.pytorch-native-cpu-" + TORCH + "-linux-x86_64.jar");
        zip(nativeJar, Map.of(
                "native/lib/pytorch.properties", "version=" + TORCH + "-20250812\nflavor=cpu\nclassifier=linux-x86_64\n",
                "pytorch/cpu/linux-x86_64/libtorch.so", "torch",
                "pytorch/cpu/linux-x86_64/libtorch_cpu.so", "torch cpu",
                "pytorch/cpu/linux-x86_64/libc10.so", "c10"));
    }

    @Test
    void shouldStageTheCpuLibtorchOfTheApplicationsOwnJar() throws Exception {
        Path out = tmp.resolve("libtorch");
        Result r = run("cpu", out);
        assertThat(r.exit).as(r.output).isZero();
        assertThat(names(out)).containsExactlyInAnyOrder("libtorch.so", "libtorch_cpu.so", "libc10.so", "libdjl_torch.so");
        assertThat(Files.readString(out.resolve("libdjl_torch.so"))).isEqualTo("jni cpu");
        try (ZipFile jar = new ZipFile(nativeJar.toFile())) {
            assertThat(jar.getEntry("native/lib/pytorch.properties")).as("the jar Quarkus indexed stays, with its properties").isNotNull();
            assertThat(jar.stream().map(ZipEntry::getName)).noneMatch(n -> n.startsWith("pytorch/"));
        }
    }

    @Test
    void shouldStageTheCudaLibrariesDjlUsesFromPyTorchsArchive() throws Exception {
        Path zip = cudaArchive(TORCH + "+cu128");
        Path out = tmp.resolve("libtorch");
        Result r = run("cu128", out, zip.toString());
        assertThat(r.exit).as(r.output).isZero();
        assertThat(names(out)).containsExactlyInAnyOrder("libtorch.so", "libtorch_cpu.so", "libtorch_cuda.so", "libc10.so",
                "libc10_cuda.so", "libcudart-9335f6a2.so.12", "libcudnn.so.9", "libnvrtc-b51b459d.so.12", "libgomp-98b21ff3.so.1",
                "libdjl_torch.so");
        assertThat(Files.readString(out.resolve("libdjl_torch.so"))).isEqualTo("jni cu128");
    }

    /** An application built with -Dplanstream.gpu has no CPU native jar at all. */
    @Test
    void shouldStageTheCudaLibtorchForAnApplicationBuiltWithoutTheCpuOne() throws Exception {
        Files.delete(nativeJar);
        Path out = tmp.resolve("libtorch");
        Result r = run("cu128", out, cudaArchive(TORCH + "+cu128").toString());
        assertThat(r.exit).as(r.output).isZero();
        assertThat(names(out)).contains("libtorch.so", "libtorch_cuda.so", "libdjl_torch.so");
        Result cpu = run("cpu", tmp.resolve("cpu"));
        assertThat(cpu.exit).isNotZero();
        assertThat(cpu.output).contains("no pytorch-native-cpu jar");
    }

    @Test
    void shouldRefuseALibtorchOfAnotherVersion() throws Exception {
        Result r = run("cu128", tmp.resolve("libtorch"), cudaArchive("2.8.0+cu128").toString());
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("2.8.0+cu128").contains(TORCH + "+cu128");
    }

    @Test
    void shouldRefuseAFlavourTheJniJarHasNoLibraryFor() throws Exception {
        Result r = run("cu126", tmp.resolve("libtorch"), cudaArchive(TORCH + "+cu126").toString());
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("no JNI library for cu126");
    }

    @Test
    void shouldRefuseACudaFlavourWithoutItsArchive() throws Exception {
        Result r = run("cu128", tmp.resolve("libtorch"));
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("needs the CUDA libtorch zip");
    }

    private Path cudaArchive(String buildVersion) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("libtorch/build-version", buildVersion + "\n");
        for (String lib : List.of("libtorch.so", "libtorch_cpu.so", "libtorch_cuda.so", "libc10.so", "libc10_cuda.so",
                "libcudart-9335f6a2.so.12", "libcudnn.so.9", "libnvrtc-b51b459d.so.12", "libgomp-98b21ff3.so.1",
                // Not loaded by DJL: left out, as DJL's own package leaves them out.
                "libshm.so", "libtorch_global_deps.so", "libkineto.a", "libcudart_static.a")) {
            entries.put("libtorch/lib/" + lib, lib);
        }
        entries.put("libtorch/include/torch/torch.h", "header");
        Path zip = tmp.resolve("libtorch-" + buildVersion + ".zip");
        zip(zip, entries);
        return zip;
    }

    /** Runs the script as the Dockerfiles do: APP_DIR FLAVOR OUT_DIR [LIBTORCH_ZIP]. */
    private Result run(String flavor, Path out, String... zip) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", SCRIPT.toString(), app.toString(), flavor, out.toString()));
        command.addAll(List.of(zip));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("stage-libtorch.sh did not finish within 30 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int exit, String output) {
    }

    private static List<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void zip(Path file, Map<String, String> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
