package io.planstream.app.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.planstream.app.config.PlanstreamConfig;
import io.planstream.app.security.SecurityConfig;
import io.planstream.ingest.config.IngestConfig;
import io.planstream.platform.KafkaPlatform;

/**
 * Builds the process's {@link KafkaPlatform} from configuration: every {@code kafka.*} property goes to
 * the Kafka clients without its prefix (security settings included), and the Confluent serde keys go
 * to the Avro serdes. Without {@code kafka.bootstrap.servers} the broker runs in-process.
 */
@Singleton
public class PlatformProducer {

    private static final Logger LOG = Logger.getLogger(PlatformProducer.class);
    static final String KAFKA_PREFIX = "kafka.";
    private static final Set<String> SERDE_KEYS = Set.of("schema.registry.url", "auto.register.schemas",
            "use.latest.version", "basic.auth.credentials.source", "basic.auth.user.info");

    @Produces
    @Singleton
    KafkaPlatform platform(Config config, PlanstreamConfig planstream, IngestConfig ingest, SecurityConfig security) {
        String host = planstream.embedded().host();
        if (!loopback(host) && !security.allowOpenNetwork()) {
            throw new IllegalStateException("planstream.embedded.host is " + host + ", beyond loopback, but the embedded broker and "
                    + "schema registry authenticate nobody: set planstream.security.allow-open-network=true for a trusted network, "
                    + "or run a Kafka cluster with its own security (kafka.bootstrap.servers)");
        }
        KafkaPlatform.Builder b = KafkaPlatform.builder()
                .optEmbeddedHost(host)
                .optClientProperties(withPrefix(config, KAFKA_PREFIX))
                .optSerdeConfig(serdeConfig(config))
                .optEmbeddedPort(planstream.embedded().kafkaPort())
                .optRegistryPort(planstream.embedded().registryPort())
                .optPartitions(planstream.topics().partitions())
                .optReplicationFactor(planstream.topics().replicationFactor())
                .optStartupTimeout(planstream.topics().startupTimeout())
                .optMaxUploadBytes(ingest.maxBytes());
        if (!planstream.embedded().temporary()) {
            b.optEmbeddedDataDir(planstream.dataPath("kafka").toAbsolutePath());
        }
        KafkaPlatform platform = b.start();
        if (platform.embedded()) {
            LOG.infof("One-machine default: embedded Kafka at %s (%s), schema registry at %s",
                    platform.bootstrapServers(), loopback(host) ? "loopback only" : "beyond loopback, unauthenticated", platform.schemaRegistryUrl());
        }
        return platform;
    }

    /** Whether an address is a loopback one (a name that does not resolve counts as not). */
    static boolean loopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    void close(@Disposes KafkaPlatform platform) {
        platform.close();
    }

    static Map<String, Object> withPrefix(Config config, String prefix) {
        Map<String, Object> out = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(prefix)) {
                config.getOptionalValue(name, String.class).ifPresent(v -> out.put(name.substring(prefix.length()), v));
            }
        }
        return out;
    }

    /** Whether a setting belongs to the Avro serdes and their registry client rather than to the Kafka clients. */
    public static boolean isSerdeKey(String name) {
        return SERDE_KEYS.contains(name) || name.startsWith("schema.registry.");
    }

    static Map<String, Object> serdeConfig(Config config) {
        Map<String, Object> out = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (isSerdeKey(name)) {
                config.getOptionalValue(name, String.class).ifPresent(v -> out.put(name, v));
            }
        }
        return out;
    }
}
