package io.planstream.app;

import java.util.Map;

import io.planstream.kafka.EmbeddedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A broker whose only client listener speaks SASL/PLAIN: a client that did not get the security
 * settings cannot even fetch metadata. The application gets them as {@code kafka.*} properties,
 * exactly as an operator would set {@code KAFKA_SECURITY_PROTOCOL} and friends.
 */
public class SaslKafkaResource implements QuarkusTestResourceLifecycleManager {

    static final String USER = "planstream";
    static final String PASSWORD = "sasl-test-secret";

    private EmbeddedKafka kafka;

    @Override
    public Map<String, String> start() {
        kafka = EmbeddedKafka.builder().temporary()
                // The client listener keeps its name and gets the SASL_PLAINTEXT protocol; the controller stays plain (in-process).
                .optBrokerProperty("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .optBrokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .optBrokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .optBrokerProperty("listener.name.plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\"broker-secret\""
                                + " user_broker=\"broker-secret\" user_" + USER + "=\"" + PASSWORD + "\";")
                .start();
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                "kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.jaas.config", jaas(USER, PASSWORD));
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(kafka, new TestInjector.MatchesType(EmbeddedKafka.class));
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
