package io.planstream.app.cli;

import picocli.CommandLine.Option;

/**
 * {@code --verbose} of the commands that run the server ({@code demo}, {@code serve}). Their log always goes to
 * {@code DATA_DIR/logs/planstream.log} and warnings and errors always reach the console (application.properties);
 * this puts the rest of the log on the console too.
 */
final class VerboseOption {

    @Option(names = "--verbose",
            description = "Show the log (INFO and up) on the console too; it always goes to DATA_DIR/logs/planstream.log.")
    boolean verbose;

    /** Before Quarkus starts: a system property outranks the configuration files and the environment. */
    void apply() {
        if (verbose) {
            System.setProperty("quarkus.log.console.level", "ALL");
        }
    }
}
