package io.planstream.schemas.serde;

import java.util.Map;
import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.planstream.schemas.registry.SchemaRegistryClient;

/**
 * {@link AvroSerializer} and {@link AvroDeserializer} for one record class, configured together so
 * they share one registry client and its caches.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final SchemaRegistryClient injected;
    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    /** A serde that builds its registry client in {@link #configure} from {@code schema.registry.url} and friends. */
    public AvroSerde(Class<T> type) {
        this.injected = null;
        this.serializer = new AvroSerializer<>(type);
        this.deserializer = new AvroDeserializer<>(type);
    }

    /** A serde on a given (possibly shared) client; usable without {@link #configure}, as a value serde with the defaults. */
    public AvroSerde(Class<T> type, SchemaRegistryClient client) {
        this.injected = Objects.requireNonNull(client, "client");
        this.serializer = new AvroSerializer<>(type, client);
        this.deserializer = new AvroDeserializer<>(type, client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig parsed = AvroSerdeConfig.parse(configs, isKey, injected);
        serializer.configure(parsed);
        deserializer.configure(parsed);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
    }
}
