package io.planstream.app;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.planstream.app.config.PlanstreamConfig;
import io.planstream.platform.KafkaPlatform;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;

/** The long-running server: starts the platform eagerly so that a bad Kafka setting fails at once. */
public class ServeApplication implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(ServeApplication.class);

    @Inject
    KafkaPlatform platform;

    @Inject
    PlanstreamConfig config;

    @Override
    public int run(String... args) {
        LOG.infof("Planstream ready: roles %s, Kafka %s, data in %s", config.roles(), platform.bootstrapServers(),
                config.dataDir().toAbsolutePath());
        Quarkus.waitForExit();
        return 0;
    }
}
