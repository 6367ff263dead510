package io.planstream.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.planstream.broker.EmbeddedKafka;

/**
 * A broker whose only client listener speaks SASL/PLAIN over TLS (SASL_SSL), with a certificate made
 * for 127.0.0.1 at start-up: a client that did not get the TLS settings fails the handshake, one that
 * did not get the SASL settings is refused after it. The application gets both as {@code kafka.*}
 * properties, exactly as an operator would set {@code KAFKA_SECURITY_PROTOCOL},
 * {@code KAFKA_SSL_TRUSTSTORE_LOCATION} and friends.
 */
public class TlsSaslKafkaResource extends ExternalKafkaResource {

    static final String USER = "planstream";
    static final String PASSWORD = "sasl-test-secret";
    static final String STORE_PASSWORD = "store-test-secret";

    private Path dir;
    private Path keystore;
    private Path truststore;

    @Override
    protected EmbeddedKafka.Builder broker(EmbeddedKafka.Builder builder) {
        makeStores();
        // The client listener keeps its name and gets the SASL_SSL protocol; the controller stays plain (in-process).
        return builder.optBrokerProperty("listener.security.protocol.map", "PLAINTEXT:SASL_SSL,CONTROLLER:PLAINTEXT")
                .optBrokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .optBrokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .optBrokerProperty("listener.name.plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\"broker-secret\""
                                + " user_broker=\"broker-secret\" user_" + USER + "=\"" + PASSWORD + "\";")
                .optBrokerProperty("ssl.keystore.type", "PKCS12")
                .optBrokerProperty("ssl.keystore.location", keystore.toString())
                .optBrokerProperty("ssl.keystore.password", STORE_PASSWORD)
                .optBrokerProperty("ssl.key.password", STORE_PASSWORD)
                .optBrokerProperty("ssl.truststore.type", "PKCS12")
                .optBrokerProperty("ssl.truststore.location", truststore.toString())
                .optBrokerProperty("ssl.truststore.password", STORE_PASSWORD);
    }

    @Override
    protected Map<String, String> config(EmbeddedKafka kafka) {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        clientSettings(USER, PASSWORD, truststore.toString()).forEach((k, v) -> m.put("kafka." + k, String.valueOf(v)));
        return m;
    }

    /** What a client of this broker needs: the SASL login, and the trust store unless it is null. */
    static Map<String, Object> clientSettings(String user, String password, String truststore) {
        Map<String, Object> m = new HashMap<>();
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", "PLAIN");
        m.put("sasl.jaas.config", jaas(user, password));
        if (truststore != null) {
            m.put("ssl.truststore.type", "PKCS12");
            m.put("ssl.truststore.location", truststore);
            m.put("ssl.truststore.password", STORE_PASSWORD);
        }
        return m;
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    @Override
    public void stop() {
        super.stop();
        if (dir != null) {
            for (Path p : List.of(keystore, truststore, dir.resolve("broker.pem"), dir)) {
                p.toFile().delete();
            }
        }
    }

    /**
     * A self-signed key pair for 127.0.0.1 and a trust store holding its certificate, made with the
     * JDK's own keytool: the JDK has no public API that signs a certificate, and a test needs no more
     * than the tool every operator uses for Kafka's stores.
     */
    private void makeStores() {
        try {
            dir = Files.createTempDirectory("planstream-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        keystore = dir.resolve("broker.p12");
        truststore = dir.resolve("trust.p12");
        Path cert = dir.resolve("broker.pem");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-file", cert.toString(), "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-keystore", truststore.toString(),
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
