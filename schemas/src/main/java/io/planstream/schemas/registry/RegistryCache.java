package io.planstream.schemas.registry;

import org.apache.avro.Schema;

/**
 * The registry's answers that never change, each cache bounded: the schema of an id, and the id of a
 * schema in a subject.
 */
final class RegistryCache {

    private final BoundedCache<Integer, Schema> schemasById;
    private final BoundedCache<String, Integer> idsBySubjectAndSchema;

    RegistryCache(int capacity) {
        this.schemasById = new BoundedCache<>(capacity);
        this.idsBySubjectAndSchema = new BoundedCache<>(capacity);
    }

    /** The schema of {@code id}, or null where it is not cached. */
    Schema schema(int id) {
        return schemasById.get(id);
    }

    /** The id of {@code schema} in {@code subject}, or null where it is not cached. */
    Integer id(String subject, Schema schema) {
        return idsBySubjectAndSchema.get(key(subject, schema));
    }

    void putSchema(int id, Schema schema) {
        schemasById.put(id, schema);
    }

    /** Remembers that {@code schema} has {@code id} in {@code subject}, both ways. */
    void put(String subject, Schema schema, int id) {
        idsBySubjectAndSchema.put(key(subject, schema), id);
        schemasById.put(id, schema);
    }

    private static String key(String subject, Schema schema) {
        return subject + '\n' + schema;
    }
}
