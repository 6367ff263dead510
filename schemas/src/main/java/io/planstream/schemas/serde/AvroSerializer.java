package io.planstream.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import io.planstream.schemas.registry.RegisteredSchema;
import io.planstream.schemas.registry.SchemaRegistryClient;
import io.planstream.schemas.registry.SchemaRegistryException;

/**
 * Writes Avro specific records in Confluent's wire format (magic byte 0, 4-byte schema id, Avro
 * binary), with the schema id from a Confluent-API schema registry under the subject
 * {@code <topic>-value} or {@code <topic>-key}. Configured with Confluent's keys ({@link AvroSerdeConfig}).
 * A null record is written as null (a tombstone).
 *
 * <p>The schema id is found once per topic and cached; the writer is shared, so one instance can be
 * used from many threads. A record the registry will not take (an incompatible or invalid schema, no
 * schema to use) fails with a {@link SerializationException}; a registry that cannot be reached or
 * fails fails with a {@link SchemaRegistryException}, so callers can tell a bad record from an outage.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    /** Bound on cached topics; beyond it, ids are still correct but looked up per record. */
    private static final int MAX_CACHED_TOPICS = 1000;

    private final Class<T> type;
    private final Schema schema;
    private final DatumWriter<T> writer;
    private final SchemaRegistryClient injected;
    private final Map<String, Plan<T>> plans = new ConcurrentHashMap<>();
    private volatile AvroSerdeConfig config;

    /** A serializer that builds its registry client in {@link #configure}. */
    public AvroSerializer(Class<T> type) {
        this(type, null, null);
    }

    /** A serializer on a given (possibly shared) client; usable without {@link #configure}, as a value serializer with the defaults. */
    public AvroSerializer(Class<T> type, SchemaRegistryClient client) {
        this(type, Objects.requireNonNull(client, "client"), AvroSerdeConfig.defaults(client));
    }

    private AvroSerializer(Class<T> type, SchemaRegistryClient injected, AvroSerdeConfig config) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = AvroModels.forClass(type);
        this.schema = model.getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema, model);
        this.injected = injected;
        this.config = config;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(AvroSerdeConfig.parse(configs, isKey, injected));
    }

    void configure(AvroSerdeConfig parsed) {
        this.config = parsed;
        plans.clear();
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (topic == null) {
            throw new IllegalArgumentException("a topic is needed to pick the subject for " + type.getSimpleName());
        }
        Plan<T> plan = plans.get(topic);
        if (plan == null) {
            plan = plan(topic, configured());
            if (plans.size() < MAX_CACHED_TOPICS) {
                plans.putIfAbsent(topic, plan);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        byte[] header = new byte[WireFormat.HEADER_LENGTH];
        WireFormat.writeHeader(header, plan.schemaId());
        out.writeBytes(header);
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            plan.encoding().write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + type.getSimpleName() + " for topic '" + topic
                    + "' with schema id " + plan.schemaId() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        // Only the cache to drop: Java 17's HttpClient under the registry client has nothing to close.
        plans.clear();
    }

    private AvroSerdeConfig configured() {
        AvroSerdeConfig current = config;
        if (current == null) {
            throw new IllegalStateException("AvroSerializer<" + type.getSimpleName() + "> is not configured: call configure with "
                    + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG + ", or construct it with a SchemaRegistryClient");
        }
        return current;
    }

    /** Finds the schema id for the topic's subject and how to write under it. */
    private Plan<T> plan(String topic, AvroSerdeConfig config) {
        String subject = config.subject(topic);
        SchemaRegistryClient client = config.client();
        try {
            if (config.autoRegister()) {
                return new Plan<>(client.register(subject, schema), writer::write);
            }
            if (config.useLatestVersion()) {
                return latestPlan(topic, client.getLatest(subject));
            }
            int id = client.lookup(subject, schema).orElseThrow(() -> new SerializationException("cannot serialize "
                    + type.getSimpleName() + " for topic '" + topic + "': its schema is not registered under subject '"
                    + subject + "' and " + AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG + " is false")).id();
            return new Plan<>(id, writer::write);
        } catch (SchemaRegistryException e) {
            // Refusals about this schema are the record's problem; anything else is the registry's.
            if (e.status() == 409 || e.status() == 422 || e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                    || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                throw new SerializationException("cannot serialize " + type.getSimpleName() + " for topic '" + topic
                        + "': " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * Writing under the subject's latest schema: directly when it encodes T's data the same way,
     * else by resolving T's encoding into the latest schema with Avro's own rules (missing fields
     * take their defaults), after checking the latest schema can read T's data at all.
     */
    private Plan<T> latestPlan(String topic, RegisteredSchema latest) {
        Schema target = latest.schema();
        if (SchemaNormalization.parsingFingerprint64(target) == SchemaNormalization.parsingFingerprint64(schema)) {
            return new Plan<>(latest.id(), writer::write);
        }
        SchemaCompatibility.SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(target, schema);
        if (check.getType() != SchemaCompatibilityType.COMPATIBLE) {
            String reasons = check.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                    .collect(Collectors.joining("; "));
            throw new SerializationException("cannot serialize " + type.getSimpleName() + " for topic '" + topic
                    + "': the latest schema of subject '" + latest.subject() + "' (id " + latest.id() + ", version "
                    + latest.version() + ") cannot hold its data: " + reasons);
        }
        DatumReader<Object> resolver = new GenericDatumReader<>(schema, target, GenericData.get());
        DatumWriter<Object> targetWriter = new GenericDatumWriter<>(target, GenericData.get());
        return new Plan<>(latest.id(), (record, out) -> {
            ByteArrayOutputStream own = new ByteArrayOutputStream(256);
            BinaryEncoder ownEncoder = EncoderFactory.get().binaryEncoder(own, null);
            writer.write(record, ownEncoder);
            ownEncoder.flush();
            targetWriter.write(resolver.read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null)), out);
        });
    }

    /** How one record is encoded after the header. */
    @FunctionalInterface
    private interface Encoding<T> {
        void write(T record, BinaryEncoder out) throws IOException;
    }

    /** The schema id a topic's records carry and how they are encoded. */
    private record Plan<T>(int schemaId, Encoding<T> encoding) {
    }
}
