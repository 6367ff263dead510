package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's refusals, before anything starts; the demo itself runs as the packaged application in {@code DemoIT}. */
class DemoCommandTest {

    @TempDir
    static Path dir;

    @Test
    void shouldRefuseBadArguments() {
        assertThat(CliRun.run("demo", "--count", "3").code()).isEqualTo(2);
        CliRun missing = CliRun.run("demo", "--data-dir", dir.resolve("x").toString(), "/no/such/plan.png");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file or folder: /no/such/plan.png");
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }

    @Test
    void shouldOfferTheTrainerSwitchAndTheVerboseConsole() {
        CliRun demo = CliRun.run("demo", "--help");
        assertThat(demo.code()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("--no-trainer", "--verbose", "DATA_DIR/logs/planstream.log");
        CliRun serve = CliRun.run("serve", "--help");
        assertThat(serve.code()).as(serve.err()).isZero();
        assertThat(serve.out()).contains("--verbose", "DATA_DIR/logs/planstream.log");
    }
}
