package io.planstream.app;

import java.util.Map;

import io.planstream.broker.EmbeddedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A broker started outside the application and handed to it through {@code kafka.bootstrap.servers},
 * as a real cluster would be: the test can stop it to see how uploads behave without Kafka.
 */
public class ExternalKafkaResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedKafka kafka;

    @Override
    public Map<String, String> start() {
        kafka = broker(EmbeddedKafka.builder().temporary()).start();
        return config(kafka);
    }

    /** The broker's settings; subclasses add theirs. */
    protected EmbeddedKafka.Builder broker(EmbeddedKafka.Builder builder) {
        return builder;
    }

    /** What the application is given to reach the broker. */
    protected Map<String, String> config(EmbeddedKafka kafka) {
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                // Quick 503s once the test has stopped the broker.
                "planstream.ingest.ack-timeout", "3s");
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
