package io.planstream.app.cli;

import picocli.CommandLine.Option;

/**
 * {@code --seed}. Each command creates it with its own default ({@code new SeedOption(11)}), which
 * help shows; what the seed drives differs per command, so the description comes from
 * {@code Options.properties} ({@code planstream.<command>.seed}).
 */
final class SeedOption {

    @Option(names = "--seed", descriptionKey = "seed", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    SeedOption(long defaultSeed) {
        this.seed = defaultSeed;
    }

    long value() {
        return seed;
    }
}
