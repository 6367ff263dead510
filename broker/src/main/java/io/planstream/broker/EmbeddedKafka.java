package io.planstream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.commons.io.FileUtils;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A single-node Kafka broker in KRaft combined mode (broker and controller in one), started in this
 * process; its client listener is bound to 127.0.0.1 unless {@link Builder#optHost} names another address,
 * and its controller listener always is.
 *
 * <p>Kafka's own cluster test kit binds every interface, so this class drives {@link KafkaRaftServer}
 * directly: it formats the log directory once with Kafka's {@link Formatter} (as {@code kafka-storage
 * format} does) and starts the server on it. A persistent directory keeps topics and offsets across
 * restarts; {@link Builder#temporary()} makes a directory that is deleted on {@link #close()}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private final String host;
    private final KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Builder builder) {
        this.deleteOnClose = builder.temporary;
        try {
            this.dataDir = builder.temporary
                    ? Files.createTempDirectory("planstream-kafka-")
                    : Files.createDirectories(builder.dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data directory " + builder.dataDir, e);
        }
        this.host = builder.host;
        this.port = builder.port > 0 ? builder.port : freePort();
        int controllerPort = builder.controllerPort > 0 ? builder.controllerPort : freePort();
        Path logDir = dataDir.resolve("kraft-logs");
        Map<String, Object> props = brokerProperties(logDir, host, port, controllerPort);
        props.putAll(builder.overrides);
        KafkaConfig config = new KafkaConfig(props, false);
        formatOnce(logDir);
        long start = System.nanoTime();
        this.server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        LOG.info("Embedded Kafka broker on {}:{} (data {}) started in {} ms",
                host, port, dataDir, (System.nanoTime() - start) / 1_000_000);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bootstrap servers string clients use: {@code HOST:PORT} (127.0.0.1 by default). */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
        LOG.info("Embedded Kafka broker on {}:{} stopped", host, port);
    }

    private static Map<String, Object> brokerProperties(Path logDir, String host, int port, int controllerPort) {
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        // One node: every internal topic has a replication factor of one.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("default.replication.factor", "1");
        p.put("num.partitions", "1");
        // Consumers of a one-node cluster should not wait for more members to join.
        p.put("group.initial.rebalance.delay.ms", "0");
        // Topics are created explicitly, with their settings, by the code that owns them.
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        p.put("log.cleaner.backoff.ms", "1000");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        return p;
    }

    /** Formats the directory unless it already holds a formatted log (then it is left as it is). */
    private static void formatOnce(Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            new Formatter()
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the Kafka log directory " + logDir + ": " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            FileUtils.deleteDirectory(dir.toFile());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.getMessage());
        }
    }

    /** Options of an {@link EmbeddedKafka}; {@link #start()} formats (once) and starts the broker. */
    public static final class Builder {
        private Path dataDir;
        private boolean temporary;
        private String host = "127.0.0.1";
        private int port;
        private int controllerPort;
        private final Map<String, Object> overrides = new HashMap<>();

        private Builder() {
        }

        /** A persistent data directory: formatted on first use, reused afterwards. */
        public Builder setDataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** A fresh temporary directory, deleted on close (tests). */
        public Builder temporary() {
            this.temporary = true;
            return this;
        }

        /**
         * The address the client listener binds to and advertises (an IP address of this host); default
         * 127.0.0.1. The broker has no authentication: another address lets every host that reaches it in.
         */
        public Builder optHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host.trim();
            return this;
        }

        /** Client port; 0 (the default) picks a free one. */
        public Builder optPort(int port) {
            this.port = checkPort(port, "port");
            return this;
        }

        /** Controller port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder optControllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort, "controllerPort");
            return this;
        }

        /** Any broker setting, e.g. {@code log.retention.hours}. */
        public Builder optBrokerProperty(String key, Object value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedKafka start() {
            if (dataDir == null && !temporary) {
                throw new IllegalStateException("set a data directory or ask for a temporary one");
            }
            if (dataDir != null && temporary) {
                throw new IllegalStateException("a data directory and temporary() exclude each other");
            }
            return new EmbeddedKafka(this);
        }

        private static int checkPort(int port, String name) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be 0..65535, got " + port);
            }
            return port;
        }
    }
}
