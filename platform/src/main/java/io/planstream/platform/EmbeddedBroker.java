package io.planstream.platform;

import java.nio.file.Path;

import io.planstream.broker.EmbeddedKafka;

/**
 * Starts the in-process broker of the one-machine default. The broker (with Kafka's server and Scala
 * runtime) is an optional dependency of this module: only the processes that embed a broker carry
 * {@code planstream-broker}. Only the nested {@code Starter} names it, and that class is loaded only
 * after the check, so a process without the module gets a message instead of a
 * {@link NoClassDefFoundError}.
 */
final class EmbeddedBroker {

    static final String CLASS_NAME = "io.planstream.broker.EmbeddedKafka";

    /** A started broker: what closes it, and where clients find it. */
    record Started(AutoCloseable broker, String bootstrapServers) {
    }

    private EmbeddedBroker() {
    }

    /** Whether this process carries the broker module. */
    static boolean available() {
        try {
            Class.forName(CLASS_NAME, false, EmbeddedBroker.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Starts a broker keeping its data in {@code dataDir} (a temporary directory where null) with its
     * client listener on {@code host} and {@code port} (0 picks a free one).
     */
    static Started start(Path dataDir, String host, int port) {
        if (!available()) {
            throw new IllegalStateException("no bootstrap.servers is configured and this process does not carry the "
                    + "in-process broker (planstream-broker, " + CLASS_NAME + "): configure a Kafka cluster's "
                    + "bootstrap.servers, or run the role inside the application, which embeds one");
        }
        return Starter.start(dataDir, host, port);
    }

    private static final class Starter {
        static Started start(Path dataDir, String host, int port) {
            EmbeddedKafka.Builder builder = EmbeddedKafka.builder().optHost(host).optPort(port);
            EmbeddedKafka kafka = (dataDir == null ? builder.temporary() : builder.setDataDir(dataDir)).start();
            return new Started(kafka, kafka.bootstrapServers());
        }
    }
}
