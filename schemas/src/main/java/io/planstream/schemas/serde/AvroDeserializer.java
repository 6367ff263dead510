package io.planstream.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import io.planstream.schemas.registry.SchemaRegistryClient;
import io.planstream.schemas.registry.SchemaRegistryException;

/**
 * Reads records in Confluent's wire format into the specific class {@code T}: the writer schema is
 * fetched by the id in the record, and Avro's schema resolution maps it onto T's schema, so records
 * written with an older or newer compatible schema decode. Null bytes (a tombstone) read as null.
 *
 * <p>Readers are built once per schema id and shared, so one instance can be used from many threads.
 * Bytes that are not a readable record (too short, wrong magic byte, unknown schema id, a payload
 * that does not decode, bytes left over) fail with a {@link SerializationException} naming the
 * topic, the problem and the schema id; a registry that cannot be reached fails with a
 * {@link SchemaRegistryException}, so a dead-letter policy does not swallow good records during an outage.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    /** Bound on cached readers; a topic sees a handful of schema versions in practice. */
    private static final int MAX_CACHED_READERS = 1000;

    private final Class<T> type;
    private final Schema readerSchema;
    private final SpecificData model;
    private final SchemaRegistryClient injected;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private volatile AvroSerdeConfig config;

    /** A deserializer that builds its registry client in {@link #configure}. */
    public AvroDeserializer(Class<T> type) {
        this(type, null, null);
    }

    /** A deserializer on a given (possibly shared) client; usable without {@link #configure}. */
    public AvroDeserializer(Class<T> type, SchemaRegistryClient client) {
        this(type, Objects.requireNonNull(client, "client"), AvroSerdeConfig.defaults(client));
    }

    private AvroDeserializer(Class<T> type, SchemaRegistryClient injected, AvroSerdeConfig config) {
        this.type = Objects.requireNonNull(type, "type");
        this.model = AvroModels.forClass(type);
        this.readerSchema = model.getSchema(type);
        this.injected = injected;
        this.config = config;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(AvroSerdeConfig.parse(configs, isKey, injected));
    }

    void configure(AvroSerdeConfig parsed) {
        this.config = parsed;
        readers.clear();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < WireFormat.HEADER_LENGTH) {
            throw refuse(topic, data.length + " bytes are too short for the Confluent wire format (magic byte 0,"
                    + " 4-byte schema id, Avro data); no schema id", null);
        }
        if (data[0] != WireFormat.MAGIC_BYTE) {
            throw refuse(topic, String.format("unknown magic byte 0x%02x (expected 0x00): not Confluent-wire Avro;"
                    + " no schema id", data[0] & 0xff), null);
        }
        int id = WireFormat.schemaId(data);
        DatumReader<T> reader = reader(topic, id);
        BoundedDecoder decoder = new BoundedDecoder(data, WireFormat.HEADER_LENGTH, data.length - WireFormat.HEADER_LENGTH);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (EOFException e) {
            String detail = e.getMessage() == null ? "it ended before the record did" : e.getMessage();
            throw refuse(topic, "payload of " + (data.length - WireFormat.HEADER_LENGTH) + " bytes is truncated or corrupt ("
                    + detail + "); schema id " + id, e);
        } catch (IOException | RuntimeException e) {
            throw refuse(topic, "payload does not decode with writer schema id " + id + ": " + e, e);
        }
        int left = remaining(decoder, topic, id);
        if (left > 0) {
            // A record encoded with another schema than its id says often decodes partly: catch it here.
            throw refuse(topic, left + " bytes left over after the record; schema id " + id
                    + " is probably not the schema it was written with", null);
        }
        return value;
    }

    @Override
    public void close() {
        readers.clear();
    }

    private DatumReader<T> reader(String topic, int id) {
        DatumReader<T> reader = readers.get(id);
        if (reader != null) {
            return reader;
        }
        Schema writerSchema;
        try {
            writerSchema = configured().client().getById(id);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                throw refuse(topic, "unknown schema id " + id + " (" + e.getMessage() + ")", e);
            }
            throw e;
        }
        reader = new SpecificDatumReader<>(writerSchema, readerSchema, model);
        if (readers.size() < MAX_CACHED_READERS) {
            readers.putIfAbsent(id, reader);
        }
        return reader;
    }

    private int remaining(BoundedDecoder decoder, String topic, int id) {
        try {
            return decoder.remaining();
        } catch (IOException e) {
            throw refuse(topic, "cannot check the end of the payload; schema id " + id, e);
        }
    }

    private AvroSerdeConfig configured() {
        AvroSerdeConfig current = config;
        if (current == null) {
            throw new IllegalStateException("AvroDeserializer<" + type.getSimpleName() + "> is not configured: call configure with "
                    + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG + ", or construct it with a SchemaRegistryClient");
        }
        return current;
    }

    private SerializationException refuse(String topic, String problem, Throwable cause) {
        return new SerializationException("cannot deserialize " + type.getSimpleName() + " from topic '" + topic + "': "
                + problem, cause);
    }
}
