package io.planstream.schemas.registry;

import io.planstream.broker.EmbeddedKafka;

/**
 * An embedded broker with an embedded schema registry on it and a client for it, for a test class
 * to start once ({@code @BeforeAll}) and close at the end.
 */
public final class RegistryFixture implements AutoCloseable {

    private final EmbeddedKafka kafka;
    private final EmbeddedSchemaRegistry registry;
    private final RestSchemaRegistryClient client;

    private RegistryFixture(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
        this.kafka = kafka;
        this.registry = registry;
        this.client = RestSchemaRegistryClient.builder().setUrls(registry.url()).build();
    }

    public static RegistryFixture start() {
        EmbeddedKafka kafka = EmbeddedKafka.builder().temporary().start();
        try {
            return new RegistryFixture(kafka, EmbeddedSchemaRegistry.builder().setBootstrapServers(kafka.bootstrapServers()).start());
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedSchemaRegistry registry() {
        return registry;
    }

    public RestSchemaRegistryClient client() {
        return client;
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }
}
