package io.planstream.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.schemas.registry.EmbeddedSchemaRegistry;
import io.planstream.schemas.registry.RestSchemaRegistryClient;
import io.planstream.schemas.registry.SchemaRegistryException;

/**
 * The Kafka cluster and schema registry one process talks to, with its topic descriptors.
 *
 * <p>Where no {@code bootstrap.servers} is configured, the one-machine default applies: a broker is
 * started in-process (the {@code planstream-broker} module, which only the processes that embed a broker
 * carry: see {@link EmbeddedBroker}), and where no {@code schema.registry.url} is configured an
 * {@link EmbeddedSchemaRegistry} serves the registry API on loopback, keeping its schemas in Kafka. Any
 * real cluster and registry can be used instead by configuration; their client settings (security
 * included) are passed through to every client unchanged.
 */
public final class KafkaPlatform implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPlatform.class);

    private final AutoCloseable embeddedKafka;
    private final EmbeddedSchemaRegistry embeddedRegistry;
    private final Map<String, Object> clientProperties;
    private final Map<String, Object> serdeConfig;
    private final Topics topics;

    private KafkaPlatform(Builder b) {
        Map<String, Object> client = new HashMap<>(b.clientProperties);
        AutoCloseable kafka = null;
        EmbeddedSchemaRegistry registry = null;
        try {
            if (isBlank(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG))) {
                EmbeddedBroker.Started broker = EmbeddedBroker.start(b.embeddedDataDir, b.embeddedHost, b.embeddedPort);
                kafka = broker.broker();
                client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            }
            Map<String, Object> serde = new HashMap<>(b.serdeConfig);
            if (isBlank(serde.get(EmbeddedSchemaRegistry.URL_CONFIG))) {
                registry = EmbeddedSchemaRegistry.builder()
                        .setBootstrapServers(String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)))
                        .optClientProperties(client)
                        .optHost(b.embeddedHost)
                        .optPort(b.registryPort)
                        .start();
                serde.put(EmbeddedSchemaRegistry.URL_CONFIG, registry.url());
            } else {
                awaitRegistry(serde, b.startupTimeout);
            }
            this.embeddedKafka = kafka;
            this.embeddedRegistry = registry;
            this.clientProperties = Map.copyOf(client);
            this.serdeConfig = Map.copyOf(serde);
            this.topics = Topics.create(serdeConfig, b.partitions, b.replicationFactor, b.maxUploadBytes);
            if (b.createTopics) {
                try (Admin admin = Admin.create(clientProperties)) {
                    TopicAdmin.ensure(admin, topics.specs(), b.startupTimeout.toMillis());
                }
            }
        } catch (RuntimeException e) {
            closeQuietly(registry, kafka);
            throw e;
        }
        LOG.info("Kafka at {}, schema registry at {}", bootstrapServers(), schemaRegistryUrl());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Bootstrap servers and pass-through settings (security, timeouts) for every Kafka client. */
    public Map<String, Object> clientProperties() {
        return clientProperties;
    }

    /** Settings of the Avro serdes: {@code schema.registry.url} and the Confluent serde keys. */
    public Map<String, Object> serdeConfig() {
        return serdeConfig;
    }

    public Topics topics() {
        return topics;
    }

    public String bootstrapServers() {
        return String.valueOf(clientProperties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    public String schemaRegistryUrl() {
        return String.valueOf(serdeConfig.get(EmbeddedSchemaRegistry.URL_CONFIG));
    }

    /** True where this process runs the broker itself. */
    public boolean embedded() {
        return embeddedKafka != null;
    }

    @Override
    public void close() {
        closeQuietly(embeddedRegistry, embeddedKafka);
    }

    private static void closeQuietly(EmbeddedSchemaRegistry registry, AutoCloseable kafka) {
        // The registry writes to the broker: stop it first.
        if (registry != null) {
            try {
                registry.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the embedded schema registry failed: {}", e.toString());
            }
        }
        if (kafka != null) {
            try {
                kafka.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the embedded broker failed: " + e, e);
            }
        }
    }

    /**
     * Waits until a registry run by another process answers: a role that starts while the registry's
     * process restarts would otherwise die on its first refused connection. Any answer below 500
     * (an authentication failure included) means it is up; what that answer says is the client's to
     * report on first use.
     */
    static void awaitRegistry(Map<String, Object> serde, Duration timeout) {
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(serde);
        long deadline = System.nanoTime() + timeout.toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                client.subjects();
                return;
            } catch (SchemaRegistryException e) {
                if (e.status() != SchemaRegistryException.NO_ANSWER && e.status() < 500) {
                    return;
                }
                if (System.nanoTime() >= deadline) {
                    throw new IllegalStateException("the schema registry at " + serde.get(EmbeddedSchemaRegistry.URL_CONFIG)
                            + " did not answer within " + timeout.toSeconds() + " s (planstream.topics.startup-timeout), "
                            + attempts + " attempts; last: " + e.getMessage(), e);
                }
                if (attempts == 1) {
                    LOG.info("waiting up to {} s for the schema registry: {}", timeout.toSeconds(), e.getMessage());
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the schema registry", e);
            }
        }
    }

    private static boolean isBlank(Object value) {
        return value == null || value.toString().isBlank();
    }

    /** Settings of a {@link KafkaPlatform}. */
    public static final class Builder {
        private final Map<String, Object> clientProperties = new HashMap<>();
        private final Map<String, Object> serdeConfig = new HashMap<>();
        private Path embeddedDataDir;
        private String embeddedHost = "127.0.0.1";
        private int embeddedPort;
        private int registryPort;
        private int partitions = 3;
        private short replicationFactor = 1;
        private boolean createTopics = true;
        private Duration startupTimeout = Duration.ofSeconds(30);
        private long maxUploadBytes = Topics.DEFAULT_MAX_UPLOAD_BYTES;

        private Builder() {
        }

        /** Kafka client settings without a prefix, e.g. {@code bootstrap.servers}, {@code security.protocol}. */
        public Builder optClientProperties(Map<String, ?> properties) {
            clientProperties.putAll(Objects.requireNonNull(properties, "properties"));
            return this;
        }

        /** Confluent serde settings, e.g. {@code schema.registry.url}, {@code basic.auth.user.info}. */
        public Builder optSerdeConfig(Map<String, ?> config) {
            serdeConfig.putAll(Objects.requireNonNull(config, "config"));
            return this;
        }

        /** Where an embedded broker keeps its data; unset means a temporary directory. */
        public Builder optEmbeddedDataDir(Path dir) {
            this.embeddedDataDir = dir;
            return this;
        }

        /** Client port of an embedded broker; 0 picks a free one. */
        /**
         * The address the embedded broker and registry listen on and advertise; default 127.0.0.1. Neither has
         * authentication, so another address is for a trusted network only.
         */
        public Builder optEmbeddedHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("the embedded host must not be blank");
            }
            this.embeddedHost = host.trim();
            return this;
        }

        public Builder optEmbeddedPort(int port) {
            this.embeddedPort = port;
            return this;
        }

        /** Port of an embedded schema registry; 0 picks a free one. */
        public Builder optRegistryPort(int port) {
            this.registryPort = port;
            return this;
        }

        public Builder optPartitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder optReplicationFactor(short replicationFactor) {
            this.replicationFactor = replicationFactor;
            return this;
        }

        /** Whether to create missing topics at start (default true). */
        public Builder optCreateTopics(boolean createTopics) {
            this.createTopics = createTopics;
            return this;
        }

        public Builder optStartupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The largest accepted upload, from which the images topic's {@code max.message.bytes} follows. */
        public Builder optMaxUploadBytes(long maxUploadBytes) {
            Topics.imageMaxMessageBytes(maxUploadBytes);
            this.maxUploadBytes = maxUploadBytes;
            return this;
        }

        public KafkaPlatform start() {
            return new KafkaPlatform(this);
        }
    }
}
