package io.planstream.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * What the embedded registry knows, rebuilt from its topic: schemas by id and by text, the versions
 * of each subject, compatibility levels and the highest id given. Every method is synchronized;
 * only {@link SchemaLog} changes it, under the {@link SchemaStore}'s write lock, and only by applying
 * records read back from the topic.
 */
final class RegistryState {

    /** A schema with its global id; {@code text} is Avro's canonical JSON, the identity of a schema. */
    record StoredSchema(int id, String text, Schema schema) {
    }

    /** One version of a subject. */
    record Version(String subject, int version, StoredSchema schema, boolean deleted) {
        int id() {
            return schema.id();
        }
    }

    private final Map<Integer, StoredSchema> schemasById = new HashMap<>();
    private final Map<String, StoredSchema> schemasByText = new HashMap<>();
    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.DEFAULT;
    private int maxId;

    synchronized void apply(StoreFormat.Entry entry) {
        if (entry instanceof StoreFormat.SchemaEntry e) {
            StoredSchema schema = schemaFor(e.id(), e.schema());
            subjects.computeIfAbsent(e.subject(), s -> new TreeMap<>())
                    .put(e.version(), new Version(e.subject(), e.version(), schema, e.deleted()));
            maxId = Math.max(maxId, e.id());
        } else if (entry instanceof StoreFormat.SchemaRemoved e) {
            TreeMap<Integer, Version> versions = subjects.get(e.subject());
            Version removed = versions == null ? null : versions.remove(e.version());
            if (versions != null && versions.isEmpty()) {
                subjects.remove(e.subject());
            }
            if (removed != null && versionsWithId(removed.id(), true).isEmpty()) {
                // Nothing refers to the id any more: it goes, as it will after compaction and a restart.
                schemasById.remove(removed.id());
                schemasByText.remove(removed.schema().text());
            }
        } else if (entry instanceof StoreFormat.ConfigEntry e) {
            if (e.subject() == null) {
                globalLevel = e.level() == null ? CompatibilityLevel.DEFAULT : e.level();
            } else if (e.level() == null) {
                subjectLevels.remove(e.subject());
            } else {
                subjectLevels.put(e.subject(), e.level());
            }
        } else if (entry instanceof StoreFormat.MaxIdEntry e) {
            maxId = Math.max(maxId, e.maxId());
        }
    }

    private StoredSchema schemaFor(int id, String text) {
        StoredSchema known = schemasById.get(id);
        if (known != null) {
            if (!known.text().equals(text)) {
                throw new IllegalArgumentException("schema id " + id + " is already a different schema");
            }
            return known;
        }
        Schema parsed;
        try {
            parsed = new Schema.Parser().parse(text);
        } catch (AvroRuntimeException e) {
            throw new IllegalArgumentException("schema id " + id + " is not a valid Avro schema: " + e.getMessage(), e);
        }
        StoredSchema schema = new StoredSchema(id, text, parsed);
        schemasById.put(id, schema);
        schemasByText.put(text, schema);
        return schema;
    }

    synchronized Optional<StoredSchema> schema(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    synchronized Optional<StoredSchema> schemaByText(String text) {
        return Optional.ofNullable(schemasByText.get(text));
    }

    synchronized int maxId() {
        return maxId;
    }

    synchronized int schemaCount() {
        return schemasById.size();
    }

    /** Subjects with a live version, or with any version when includeDeleted; sorted. */
    synchronized List<String> subjects(boolean includeDeleted) {
        List<String> names = new ArrayList<>();
        subjects.forEach((subject, versions) -> {
            if (includeDeleted || versions.values().stream().anyMatch(v -> !v.deleted())) {
                names.add(subject);
            }
        });
        return names;
    }

    /** Versions of the subject, oldest first; soft-deleted ones only when includeDeleted. */
    synchronized List<Version> versions(String subject, boolean includeDeleted) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null) {
            return List.of();
        }
        return versions.values().stream().filter(v -> includeDeleted || !v.deleted()).toList();
    }

    /** The highest version number the subject has held, deleted versions included; 0 for none. */
    synchronized int maxVersion(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    synchronized List<Version> versionsWithId(int id, boolean includeDeleted) {
        List<Version> found = new ArrayList<>();
        for (TreeMap<Integer, Version> versions : subjects.values()) {
            for (Version v : versions.values()) {
                if (v.id() == id && (includeDeleted || !v.deleted())) {
                    found.add(v);
                }
            }
        }
        return found;
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    /** The level that applies to the subject: its own, else the global one. */
    synchronized CompatibilityLevel level(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }
}
