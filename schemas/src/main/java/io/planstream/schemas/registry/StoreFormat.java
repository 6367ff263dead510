package io.planstream.schemas.registry;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The records of the embedded registry's compacted topic. Keys are small JSON objects written with
 * a fixed field order, so the same logical key is always the same bytes and compaction keeps only
 * its last value: one key per (subject, version), one per configuration entry, and one for the
 * highest id ever given (written before a permanent delete, so compaction cannot make ids reusable).
 * A null value (tombstone) removes the entry.
 */
final class StoreFormat {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAGIC = 1;

    /** A decoded record. */
    sealed interface Entry permits SchemaEntry, SchemaRemoved, ConfigEntry, MaxIdEntry {
    }

    /** Version {@code version} of {@code subject} is the schema {@code id}; soft-deleted when {@code deleted}. */
    record SchemaEntry(String subject, int version, int id, String schema, boolean deleted) implements Entry {
    }

    /** Version {@code version} of {@code subject} was deleted permanently. */
    record SchemaRemoved(String subject, int version) implements Entry {
    }

    /** The compatibility level of {@code subject} (null: the global one); a null level removes it. */
    record ConfigEntry(String subject, CompatibilityLevel level) implements Entry {
    }

    /** The highest schema id given so far. */
    record MaxIdEntry(int maxId) implements Entry {
    }

    /** A record to append: key and value bytes, value null for a tombstone. */
    record Encoded(byte[] key, byte[] value) {
    }

    private StoreFormat() {
    }

    static Encoded schema(String subject, int version, int id, String schema, boolean deleted) {
        ObjectNode value = JSON.createObjectNode()
                .put("subject", subject)
                .put("version", version)
                .put("id", id)
                .put("schema", schema)
                .put("deleted", deleted);
        return new Encoded(schemaKey(subject, version), bytes(value));
    }

    static Encoded schemaTombstone(String subject, int version) {
        return new Encoded(schemaKey(subject, version), null);
    }

    static Encoded config(String subject, CompatibilityLevel level) {
        byte[] value = level == null ? null : bytes(JSON.createObjectNode().put("compatibilityLevel", level.name()));
        return new Encoded(configKey(subject), value);
    }

    static Encoded maxId(int maxId) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "MAX_ID").put("magic", MAGIC);
        return new Encoded(bytes(key), bytes(JSON.createObjectNode().put("maxId", maxId)));
    }

    /**
     * Decodes one record of the topic.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static Entry decode(byte[] key, byte[] value) {
        if (key == null) {
            throw new IllegalArgumentException("record without a key");
        }
        JsonNode k = tree(key, "key");
        String type = k.path("keytype").asText("");
        JsonNode v = value == null ? null : tree(value, "value");
        switch (type) {
            case "SCHEMA" -> {
                String subject = text(k, "subject");
                int version = number(k, "version");
                if (v == null) {
                    return new SchemaRemoved(subject, version);
                }
                return new SchemaEntry(subject, version, number(v, "id"), text(v, "schema"), v.path("deleted").asBoolean(false));
            }
            case "CONFIG" -> {
                String subject = k.path("subject").isTextual() ? k.get("subject").asText() : null;
                if (v == null) {
                    return new ConfigEntry(subject, null);
                }
                String name = text(v, "compatibilityLevel");
                return new ConfigEntry(subject, CompatibilityLevel.parse(name)
                        .orElseThrow(() -> new IllegalArgumentException("unknown compatibility level '" + name + "'")));
            }
            case "MAX_ID" -> {
                if (v == null) {
                    throw new IllegalArgumentException("MAX_ID record without a value");
                }
                return new MaxIdEntry(number(v, "maxId"));
            }
            default -> throw new IllegalArgumentException("unknown keytype '" + type + "'");
        }
    }

    private static byte[] schemaKey(String subject, int version) {
        return bytes(JSON.createObjectNode()
                .put("keytype", "SCHEMA")
                .put("subject", subject)
                .put("version", version)
                .put("magic", MAGIC));
    }

    private static byte[] configKey(String subject) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG");
        if (subject == null) {
            key.putNull("subject");
        } else {
            key.put("subject", subject);
        }
        return bytes(key.put("magic", MAGIC));
    }

    private static JsonNode tree(byte[] bytes, String what) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' missing or not a string in " + node);
        }
        return value.asText();
    }

    private static int number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException("field '" + field + "' missing or not an int in " + node);
        }
        return value.intValue();
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
