package io.planstream.app;

import java.io.PrintStream;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.planstream.app.config.LogFile;
import io.planstream.app.config.PlanstreamConfig;
import io.planstream.app.config.ProcessRole;
import io.planstream.platform.KafkaPlatform;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;

/**
 * The long-running server: starts the platform eagerly so that a bad Kafka setting fails at once, and says in a
 * few lines on the console what runs, where its data and its log are, and where to reach it.
 */
public class ServeApplication implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(ServeApplication.class);

    @Inject
    KafkaPlatform platform;

    @Inject
    PlanstreamConfig config;

    @Inject
    LogFile log;

    @ConfigProperty(name = "quarkus.http.host")
    String host;

    @ConfigProperty(name = "quarkus.http.port")
    int port;

    @Override
    public int run(String... args) {
        LOG.infof("Planstream ready: roles %s, Kafka %s, data in %s", config.roles(), platform.bootstrapServers(),
                config.dataDir().toAbsolutePath());
        PrintStream out = System.out;
        out.printf("planstream serve: roles %s; Kafka %s, schema registry %s; data in %s%n",
                config.roles().stream().map(ProcessRole::id).collect(Collectors.joining(", ")), platform.bootstrapServers(),
                platform.schemaRegistryUrl(), config.dataDir().toAbsolutePath());
        out.println("planstream serve: " + log.describe());
        // With port 0, Quarkus puts the port it bound into the system property.
        String url = "http://" + host + ":" + System.getProperty("quarkus.http.port", String.valueOf(port));
        out.printf("planstream serve: listening on %s until interrupted (Ctrl-C); open %s/ in a browser, upload with"
                + " ./planstream ingest FOLDER --url %s%n", url, url, url);
        out.flush();
        Quarkus.waitForExit();
        return 0;
    }
}
