package io.planstream.app.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code planstream} command and its subcommands. Exit codes: 0 success, 1 the work failed, 2 bad usage. */
@Command(name = "planstream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        resourceBundle = "io.planstream.app.cli.Options",
        description = "Streaming floor-plan embeddings: upload plans, embed them with SimCLR, search similar plans, evaluate encoders.",
        subcommands = {
                ServeCommand.class,
                DemoCommand.class,
                IngestCommand.class,
                GenerateCommand.class,
                BenchCommand.class,
                PretrainCommand.class,
                EvalCommand.class,
                ExportCommand.class,
                TrainCommand.class,
                ModelCommand.class,
                KeyCommand.class,
                CommandLine.HelpCommand.class
        })
public final class PlanstreamCommand implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see planstream --help)");
    }

    /** Parses and runs {@code args}; returns the exit code. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new PlanstreamCommand());
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILED);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof UsageException) {
                err.println(commandLine.getColorScheme().errorText("planstream: " + e.getMessage()));
                return EXIT_USAGE;
            }
            err.println(commandLine.getColorScheme().errorText("planstream " + commandLine.getCommandName() + ": " + describe(e)));
            if (Boolean.getBoolean("planstream.debug")) {
                e.printStackTrace(err);
            }
            return EXIT_FAILED;
        });
        return cl;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Arguments that parse but make no sense (a missing folder, say): exit code 2 with the message. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
