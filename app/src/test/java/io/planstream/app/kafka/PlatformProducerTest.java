package io.planstream.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

class PlatformProducerTest {

    private static SmallRyeConfig config(Map<String, String> properties, Map<String, String> env) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 250))
                .withSources(new EnvConfigSource(env, 300)).build();
    }

    @Test
    void kafkaSettingsFromTheEnvironmentReachTheClients() {
        Map<String, Object> clients = PlatformProducer.withPrefix(config(Map.of("kafka.ssl.truststore.type", "PKCS12"),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker:9093", "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                        "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
                        "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/trust.p12", "PATH", "/usr/bin")),
                PlatformProducer.KAFKA_PREFIX);
        assertThat(clients).containsEntry("bootstrap.servers", "broker:9093").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12")
                .containsEntry("ssl.truststore.type", "PKCS12").containsKey("sasl.jaas.config").hasSize(6);
    }

    @Test
    void registrySettingsFromTheEnvironmentReachTheSerdes() {
        Map<String, Object> serdes = PlatformProducer.serdeConfig(config(Map.of(),
                Map.of("SCHEMA_REGISTRY_URL", "https://registry:8081", "BASIC_AUTH_CREDENTIALS_SOURCE", "USER_INFO",
                        "BASIC_AUTH_USER_INFO", "u:p", "HOME", "/root")));
        assertThat(serdes).containsEntry("schema.registry.url", "https://registry:8081").containsEntry("basic.auth.credentials.source", "USER_INFO")
                .containsEntry("basic.auth.user.info", "u:p").hasSize(3);
    }
}
