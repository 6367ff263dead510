package io.planstream.app.cli;

import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code planstream model list|activate VERSION|unpin}: the model versions of a running server. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Lists model versions, pins one (the pipeline rolls to it: a roll-back where it is older) or lifts the pin.",
        subcommands = {ModelCommand.List.class, ModelCommand.Activate.class, ModelCommand.Unpin.class})
final class ModelCommand implements Runnable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: list, activate VERSION or unpin");
    }

    /** What every subcommand has: the server, and one call to it. */
    abstract static class ServerCall implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server (default ${DEFAULT-VALUE}).")
        String url;

        int call(String method, String path) {
            return new AdminClient(url).call(method, path, TIMEOUT, spec.root().commandLine().getOut(), spec.root().commandLine().getErr());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every version with its state, lag and metrics.")
    static final class List extends ServerCall {
        @Override
        public Integer call() {
            return call("GET", "/models");
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true,
            description = "Pins VERSION: embedders run it (resuming or backfilling), the index answers from it once it caught up.")
    static final class Activate extends ServerCall {
        @Parameters(index = "0", paramLabel = "VERSION", description = "Model version to pin.")
        int version;

        @Override
        public Integer call() {
            if (version < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "VERSION must be >= 1, got " + version);
            }
            return call("POST", "/models/" + version + "/activate");
        }
    }

    @Command(name = "unpin", mixinStandardHelpOptions = true, description = "Lifts the pin: the pipeline follows the newest version again.")
    static final class Unpin extends ServerCall {
        @Override
        public Integer call() {
            return call("POST", "/models/unpin");
        }
    }
}
