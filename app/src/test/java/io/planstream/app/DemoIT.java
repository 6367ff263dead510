package io.planstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.planstream.app.cli.ChildJvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application: {@code planstream demo --smoke} from an empty data directory to an answered
 * query (synthetic plans, an encoder pretrained for one epoch and published as version 1, ingest,
 * embedding, indexing), then again on the same directory, which reuses all of it.
 */
class DemoIT {

    private static final long TIMEOUT_S = 600;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerAQueryFromAFreshDataDirectoryAndReuseItOnTheNextStart() throws Exception {
        Path data = dir.resolve("demo");
        Run first = demo(data);
        assertThat(first.code).as(first.err).isZero();
        assertThat(first.out).contains("generated 24 synthetic RPLAN plans", "initial model: version 1", "uploaded 24 plans",
                "nearest plans to", "model version 1", "smoke run answered");
        assertThat(first.out.lines().filter(l -> l.matches("\\s+[1-5]\\s+[0-9a-f]{64}\\s+[-0-9.]+\\s+.*"))).hasSize(5);
        assertThat(data.resolve("demo/pretrain/model/manifest.json")).exists();
        assertThat(data.resolve("index/v1")).isDirectory();

        Run second = demo(data);
        assertThat(second.code).as(second.err).isZero();
        assertThat(second.out).doesNotContain("generated", "pretraining")
                .contains("published earlier", "(24 were already there)", "model version 1");
    }

    private record Run(int code, String out, String err) {
    }

    private Run demo(Path data) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("planstream.app.dir", "target/quarkus-app"), "quarkus-run.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Free ports for the broker and registry so a Planstream running on this machine is not disturbed.
                "-Dplanstream.embedded.kafka-port=0", "-Dplanstream.embedded.registry-port=0",
                "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                ServeProcess.C1_ONLY));
        cmd.addAll(ChildJvm.platformOptions());
        cmd.addAll(List.of("-jar", jar.toString(), "demo", "--smoke", "--port", "0", "--count", "24", "--epochs", "1",
                "--data-dir", data.toString()));
        Path out = Files.createTempFile(dir, "demo", ".out");
        Path err = Files.createTempFile(dir, "demo", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("demo did not finish in " + TIMEOUT_S + " s; stdout:\n" + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
