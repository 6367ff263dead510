package io.planstream.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.planstream.ingest.generate.FloorPlanGenerator;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes synthetic floor plans in the RPLAN format, with their ground truth. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Write synthetic floor plans as RPLAN 4-channel PNGs, with their attributes in attributes.jsonl.",
                "The same seed gives the same files."})
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--count", required = true, description = "How many plans to write.")
    int count;

    @Mixin
    OutputFolder.Unlabelled out;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Override
    public Integer call() throws Exception {
        if (count < 1 || count > 10_000_000) {
            throw new PlanstreamCommand.UsageException("--count must be 1..10000000, got " + count);
        }
        long start = System.nanoTime();
        try (ProgressBar bar = Progress.bar("generate", count, "plans")) {
            new FloorPlanGenerator().generate(count, out.path(), seed.value(), done -> bar.stepTo(done));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("wrote %d plans to %s in %.1f s (%.0f plans/s); attributes in %s%n", count, out.path(), seconds,
                count / seconds, out.path().resolve(FloorPlanGenerator.ATTRIBUTES_FILE));
        return PlanstreamCommand.EXIT_OK;
    }
}
