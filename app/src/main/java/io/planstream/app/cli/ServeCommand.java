package io.planstream.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import io.planstream.app.ServeApplication;
import io.planstream.app.config.ProcessRole;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the server: the upload API and the roles, with an in-process broker unless a cluster is given. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run Planstream: the HTTP API and the configured roles.",
                "Without --kafka, a Kafka broker and schema registry run inside this process (loopback only)."})
final class ServeCommand implements Callable<Integer> {

    // No option has a default of its own: an option not given leaves the setting to the configuration
    // (QUARKUS_HTTP_PORT, PLANSTREAM_DATA_DIR, application.properties), which a container sets by environment.
    @Option(names = "--port", description = "HTTP port (default: quarkus.http.port, 8080).")
    Integer port;

    @Option(names = "--host", description = "Interface to bind (default: quarkus.http.host, 127.0.0.1: this machine only).")
    String host;

    @Option(names = "--data-dir", description = "Where the embedded broker and the indexes keep their data (default: planstream.data-dir, planstream-data).")
    Path dataDir;

    @Option(names = "--roles", description = "Roles to run, comma-separated: ingest, embedder, index, trainer (default: all).")
    String roles;

    @Option(names = "--kafka", description = "Bootstrap servers of an existing Kafka cluster (default: in-process broker).")
    String kafka;

    @Option(names = "--registry", description = "URL of a Confluent-compatible schema registry (default: embedded).")
    String registry;

    @Mixin
    VerboseOption verbose = new VerboseOption();

    @Override
    public Integer call() {
        if (port != null && (port < 0 || port > 65535)) {
            throw new PlanstreamCommand.UsageException("--port must be 0..65535, got " + port);
        }
        if (roles != null && !roles.isBlank()) {
            try {
                ProcessRole.parseList(roles);
            } catch (IllegalArgumentException e) {
                throw new PlanstreamCommand.UsageException("--roles: " + e.getMessage());
            }
        }
        setIfGiven("quarkus.http.port", port == null ? null : String.valueOf(port));
        setIfGiven("quarkus.http.host", host);
        setIfGiven("planstream.data-dir", dataDir == null ? null : dataDir.toAbsolutePath().toString());
        setIfGiven("planstream.roles", roles);
        setIfGiven("kafka.bootstrap.servers", kafka);
        setIfGiven("schema.registry.url", registry);
        verbose.apply();
        AtomicInteger exit = new AtomicInteger();
        Quarkus.run(ServeApplication.class, (code, failure) -> {
            if (failure != null) {
                System.err.println("planstream serve: " + rootMessage(failure));
            }
            exit.set(code);
        });
        return exit.get();
    }

    private static void setIfGiven(String key, String value) {
        if (value != null && !value.isBlank()) {
            System.setProperty(key, value);
        }
    }

    /**
     * What went wrong, for one line on stderr: the outer message and the root cause's. A cause without a
     * message (a refused connection, a truncated file) is named by its class and where it was thrown.
     */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? describe(t) : t.getMessage() + " (" + describe(root) + ")";
    }

    private static String describe(Throwable t) {
        if (t.getMessage() != null) {
            return t.getMessage();
        }
        StackTraceElement[] at = t.getStackTrace();
        return t.getClass().getName() + (at.length == 0 ? "" : " at " + at[0]);
    }
}
