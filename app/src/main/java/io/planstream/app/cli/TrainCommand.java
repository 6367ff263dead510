package io.planstream.app.cli;

import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planstream train --once}: one training round on a running server's trainer, now. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Runs one training round on a running server's trainer role: continue pretraining the current model on the",
                "buffered images, judge it on the held-out ones and publish it as the next version where it passes the gate.",
                "The trainer role also runs rounds on its own (planstream.trainer.min-new-images, .interval)."})
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--once", description = "Run one round and print its result (required: continuous training runs inside serve).")
    boolean once;

    @CommandLine.Mixin
    ServerOptions server;

    @Option(names = "--timeout", defaultValue = "PT2H", description = "Longest wait for the round, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        if (!once) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --once: continuous training runs inside ./planstream serve (the trainer role)");
        }
        return server.admin().call("POST", "/admin/trainer/rounds", timeout, spec.root().commandLine().getOut(),
                spec.root().commandLine().getErr());
    }
}
