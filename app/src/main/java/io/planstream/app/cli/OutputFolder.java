package io.planstream.app.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * {@code --out DIR}, required: the folder a command writes its files into. The description comes
 * from {@code Options.properties}. {@link Unlabelled} is the same option for the commands whose help
 * has always shown it as {@code --out=<out>}: picocli cannot vary a label per command.
 */
final class OutputFolder {

    @Option(names = "--out", required = true, paramLabel = "DIR", descriptionKey = "out",
            description = "Folder to write into (created if missing).")
    Path out;

    Path path() {
        return out;
    }

    /** {@code --out=<out>}, as {@code generate} and {@code bench soak} show it. */
    static final class Unlabelled {

        @Option(names = "--out", required = true, descriptionKey = "out",
                description = "Folder to write into (created if missing).")
        Path out;

        Path path() {
            return out;
        }
    }
}
