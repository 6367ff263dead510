package io.planstream.app.cli;

import picocli.CommandLine.Option;

/** {@code --json}: machine-readable output instead of a table; commands that print one line per result say so. */
final class JsonOption {

    @Option(names = "--json", descriptionKey = "json", description = "Print one JSON object instead of a table.")
    boolean json;

    boolean enabled() {
        return json;
    }
}
