package io.planstream.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.planstream.app.security.ApiKeys;
import io.planstream.app.security.Role;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planstream key create}: a new API key, and the line that lets a server accept it. */
@Command(name = "key", mixinStandardHelpOptions = true,
        description = "Creates API keys for servers with access control on (planstream.security.enabled=true).",
        subcommands = {KeyCommand.Create.class})
final class KeyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: create");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Prints a new random key (shown once: the server keeps only its SHA-256) and its line for the key file.",
                    "With --file, appends that line to the file (created readable by its owner only)."})
    static final class Create implements Callable<Integer> {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--name", required = true, description = "Who holds the key (letters, digits, . _ -), shown in logs.")
        String name;

        @Option(names = "--roles", split = ",", defaultValue = "search",
                description = "search, upload and/or admin (admin includes upload, upload includes search; default ${DEFAULT-VALUE}).")
        List<String> roles;

        @Option(names = "--file", description = "Key file to append the line to (planstream.security.api-keys-file).")
        Path file;

        @Override
        public Integer call() {
            CommandLine cl = spec.commandLine();
            if (!NAME.matcher(name).matches()) {
                throw new CommandLine.ParameterException(cl, "--name must be 1-64 letters, digits, '.', '_' or '-', got '" + name + "'");
            }
            String roleList;
            try {
                roleList = roles.stream().map(Role::parse).distinct().map(Role::id).collect(Collectors.joining(","));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--roles: " + e.getMessage());
            }
            String key = ApiKeys.generate();
            String line = name + " " + ApiKeys.sha256Hex(key) + " " + roleList;
            PrintWriter out = spec.root().commandLine().getOut();
            if (file != null) {
                try {
                    append(file, line);
                } catch (IOException e) {
                    spec.root().commandLine().getErr().println("cannot write " + file + ": " + e.getMessage());
                    return PlanstreamCommand.EXIT_FAILED;
                }
            }
            out.println("key:  " + key);
            out.println("line: " + line);
            out.println(file != null ? "appended to " + file + "; restart the servers that read it"
                    : "add the line to the file named by planstream.security.api-keys-file");
            out.println("clients send the key as 'X-API-Key: KEY' (the CLI reads $" + ServerOptions.ENV + ")");
            out.flush();
            return PlanstreamCommand.EXIT_OK;
        }

        private static void append(Path file, String line) throws IOException {
            if (Files.notExists(file)) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                }
            }
            Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
    }
}
