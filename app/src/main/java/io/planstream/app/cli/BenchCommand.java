package io.planstream.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Benchmarks. Each prints a readable table, or with --json one JSON object per result line. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the system: `bench ingest` (uploads/s, acknowledgement latency), `bench encoder` (images/s, s/step, GFLOP/s), `bench embed` (pipeline vs forward), `bench index` (queries/s, recall, ratio to bare Lucene), `bench e2e` (upload to searchable).",
        subcommands = {BenchIngestCommand.class, BenchEncoderCommand.class, BenchEmbedCommand.class, BenchIndexCommand.class, BenchE2eCommand.class,
                BenchSoakCommand.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark, e.g. `planstream bench ingest`");
    }
}
