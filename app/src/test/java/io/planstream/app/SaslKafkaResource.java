package io.planstream.app;

import java.util.HashMap;
import java.util.Map;

import io.planstream.kafka.EmbeddedKafka;

/**
 * A broker whose only client listener speaks SASL/PLAIN: a client that did not get the security
 * settings cannot even fetch metadata. The application gets them as {@code kafka.*} properties,
 * exactly as an operator would set {@code KAFKA_SECURITY_PROTOCOL} and friends.
 */
public class SaslKafkaResource extends ExternalKafkaResource {

    static final String USER = "planstream";
    static final String PASSWORD = "sasl-test-secret";

    @Override
    protected EmbeddedKafka.Builder broker(EmbeddedKafka.Builder builder) {
        // The client listener keeps its name and gets the SASL_PLAINTEXT protocol; the controller stays plain (in-process).
        return builder.optBrokerProperty("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .optBrokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .optBrokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .optBrokerProperty("listener.name.plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\"broker-secret\""
                                + " user_broker=\"broker-secret\" user_" + USER + "=\"" + PASSWORD + "\";");
    }

    @Override
    protected Map<String, String> config(EmbeddedKafka kafka) {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        m.put("kafka.security.protocol", "SASL_PLAINTEXT");
        m.put("kafka.sasl.mechanism", "PLAIN");
        m.put("kafka.sasl.jaas.config", jaas(USER, PASSWORD));
        return m;
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }
}
