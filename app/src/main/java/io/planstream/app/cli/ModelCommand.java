package io.planstream.app.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.planstream.simclr.artifact.TorchScriptImport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code planstream model list|activate VERSION|unpin|import FILE}: the model versions of a running server. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Lists model versions, pins one (the pipeline rolls to it: a roll-back where it is older), lifts the pin,"
                + " or imports a TorchScript encoder as a new version.",
        subcommands = {ModelCommand.List.class, ModelCommand.Activate.class, ModelCommand.Unpin.class, ModelCommand.Import.class})
final class ModelCommand implements Runnable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** An import sends the whole file (up to a GiB) and waits while the server checks and publishes it. */
    private static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(30);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: list, activate VERSION, unpin or import FILE");
    }

    /** What every subcommand has: the server, and one call to it. */
    abstract static class ServerCall implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        ServerOptions server;

        int call(String method, String path) {
            return server.admin().call(method, path, TIMEOUT, spec.root().commandLine().getOut(), spec.root().commandLine().getErr());
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

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Imports FILE, an encoder exported from PyTorch with torch.jit.trace or torch.jit.script and torch.jit.save,"
                    + " as the next model version: the server checks that it maps (N, C, S, S) pictures to (N, D) features, and"
                    + " every embedder and index rolls to it like to a trained version.",
                    "Such a version embeds and answers queries; the trainer does not continue it (it has no projection head)."})
    static final class Import extends ServerCall {
        @Parameters(index = "0", paramLabel = "FILE", description = "The TorchScript file (.pt).")
        Path file;

        @Option(names = "--input-size", required = true, paramLabel = "N", description = "Side in pixels of the square pictures the encoder takes.")
        int inputSize;

        @Option(names = "--channels", defaultValue = "3", paramLabel = "C", description = "3 (RGB, default) or 1 (grey).")
        int channels;

        @Option(names = "--normalization", defaultValue = "imagenet", paramLabel = "NAME",
                description = "How pictures in [0, 1] are normalised for the encoder: imagenet (default), centred ((x - 0.5) / 0.5) or none.")
        String normalization;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no file at " + file);
            }
            StringBuilder path = new StringBuilder("/models/import?inputSize=").append(inputSize).append("&channels=").append(channels)
                    .append("&normalization=").append(encode(normalization));
            String name = file.getFileName().toString();
            // The server keeps plain names as they are and stores any other file as encoder.pt.
            if (TorchScriptImport.acceptsFileName(name)) {
                path.append("&filename=").append(encode(name));
            }
            return server.admin().post(path.toString(), file, "application/octet-stream", IMPORT_TIMEOUT,
                    spec.root().commandLine().getOut(), spec.root().commandLine().getErr());
        }

        private static String encode(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }
}
