package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import picocli.CommandLine.ParseResult;

/** The mixins parse alike in every command that has them; only defaults and descriptions differ. */
class SharedOptionsTest {

    @Test
    void shouldParseSeedAndJsonAlikeInTwoCommands() {
        BenchE2eCommand e2e = parse(BenchE2eCommand.class, "bench", "e2e", "--seed", "42", "--json");
        BenchIngestCommand ingest = parse(BenchIngestCommand.class, "bench", "ingest", "--seed", "42", "--json");

        assertThat(e2e.seed.value()).isEqualTo(ingest.seed.value()).isEqualTo(42L);
        assertThat(e2e.json.enabled()).isTrue();
        assertThat(ingest.json.enabled()).isTrue();
    }

    @Test
    void shouldKeepEachCommandsOwnSeedDefault() {
        assertThat(parse(BenchE2eCommand.class, "bench", "e2e").seed.value()).isEqualTo(11L);
        assertThat(parse(BenchIngestCommand.class, "bench", "ingest").seed.value()).isEqualTo(7L);
        assertThat(parse(BenchIndexCommand.class, "bench", "index").seed.value()).isEqualTo(1L);
        assertThat(parse(BenchIngestCommand.class, "bench", "ingest").json.enabled()).isFalse();
    }

    @Test
    void shouldParseServerAndKeyAlikeInTwoCommands() {
        IngestCommand ingest = parse(IngestCommand.class, "ingest", "--url", "http://h:9", "--api-key", "k1", "plans");
        TrainCommand train = parse(TrainCommand.class, "train", "--url", "http://h:9", "--api-key", "k1");

        assertThat(ingest.server.url).isEqualTo(train.server.url).isEqualTo("http://h:9");
        assertThat(ingest.server.key).isEqualTo(train.server.key).isEqualTo("k1");
        assertThat(parse(TrainCommand.class, "train").server.url).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void shouldParseDataOutputFolderAndDeviceAlikeInTwoCommands() {
        PretrainCommand pretrain = parse(PretrainCommand.class, "pretrain", "--data", "d", "--encoder", "resnet-mini",
                "--epochs", "1", "--batch", "2", "--out", "runs/a", "--device", "cpu");
        ExportCommand export = parse(ExportCommand.class, "export", "--model", "pixels", "--data", "d", "--out", "runs/a",
                "--device", "cpu");

        assertThat(pretrain.data.value()).isEqualTo(export.data.value()).isEqualTo("d");
        assertThat(pretrain.out.path()).isEqualTo(export.out.path()).isEqualTo(Path.of("runs/a"));
        assertThat(pretrain.device.value()).isEqualTo(export.device.value()).isEqualTo("cpu");
        assertThat(parse(GenerateCommand.class, "generate", "--count", "1", "--out", "runs/a").out.path())
                .isEqualTo(Path.of("runs/a"));
    }

    private static <T> T parse(Class<T> type, String... args) {
        ParseResult result = PlanstreamCommand.newCommandLine().parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }
}
