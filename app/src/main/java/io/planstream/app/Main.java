package io.planstream.app;

import io.planstream.app.cli.PlanstreamCommand;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of {@code ./planstream}. Commands that only read files or talk to a running server
 * (generate, ingest, bench) run here without booting the application; {@code serve} boots Quarkus.
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        int code = PlanstreamCommand.execute(args);
        // serve returns only when Quarkus has stopped; every other command is done here.
        System.exit(code);
    }
}
