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

    /** Options every subcommand takes. */
    static class Server {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server (default ${DEFAULT-VALUE}).")
        String url;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every version with its state, lag and metrics.")
    static final class List implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Server server;

        @Override
        public Integer call() {
            return new AdminClient(server.url).call("GET", "/models", TIMEOUT, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true,
            description = "Pins VERSION: embedders run it (resuming or backfilling), the index answers from it once it caught up.")
    static final class Activate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Server server;

        @Parameters(index = "0", paramLabel = "VERSION", description = "Model version to pin.")
        int version;

        @Override
        public Integer call() {
            if (version < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "VERSION must be >= 1, got " + version);
            }
            return new AdminClient(server.url).call("POST", "/models/" + version + "/activate", TIMEOUT,
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "unpin", mixinStandardHelpOptions = true, description = "Lifts the pin: the pipeline follows the newest version again.")
    static final class Unpin implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Server server;

        @Override
        public Integer call() {
            return new AdminClient(server.url).call("POST", "/models/unpin", TIMEOUT, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }
}
