package io.planstream.schemas.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.avro.Schema;

import io.planstream.schemas.registry.RegistryState.StoredSchema;
import io.planstream.schemas.registry.RegistryState.Version;

/**
 * The embedded registry's storage: a one-partition compacted Kafka topic and the state rebuilt from
 * it.
 *
 * <p>The topic is the only source of truth. The state changes only by applying records read back
 * from it, at start and after each write, so what the registry answers is exactly what a restart
 * would rebuild. Writes are serialized by one lock; each first reads the topic to its end (so a
 * write that failed ambiguously earlier is seen before a new id is chosen), then appends with an
 * idempotent acks=all producer and answers only once it has read its own record back. One registry
 * instance may write a topic at a time.
 *
 * <p>This class holds the registry's rules (ids, versions, soft and permanent deletes, compatibility
 * levels) and the write lock; the {@link SchemaLog} holds the topic, its clients and the reading back.
 */
final class SchemaStore implements AutoCloseable {

    private final RegistryState state = new RegistryState();
    /** Serializes writes and guards the log's consumer, which Kafka allows on one thread at a time only. */
    private final ReentrantLock writes = new ReentrantLock();
    private final SchemaLog log;

    SchemaStore(String bootstrapServers, Map<String, ?> clientProperties, String topic, Duration timeout) {
        writes.lock();
        try {
            this.log = new SchemaLog(bootstrapServers, clientProperties, topic, timeout, state);
        } finally {
            writes.unlock();
        }
    }

    String topic() {
        return log.topic();
    }

    int schemaCount() {
        return state.schemaCount();
    }

    int subjectCount() {
        return state.subjects(false).size();
    }

    // ---- reads ----------------------------------------------------------------------------------

    StoredSchema schemaById(int id) {
        return state.schema(id).orElseThrow(() -> RegistryError.schemaNotFound(String.valueOf(id)));
    }

    List<Version> versionsWithId(int id, boolean includeDeleted) {
        schemaById(id);
        return state.versionsWithId(id, includeDeleted);
    }

    List<String> subjects(boolean includeDeleted) {
        return state.subjects(includeDeleted);
    }

    /** The versions of a subject, oldest first; 40401 when it has none. */
    List<Version> versions(String subject, boolean includeDeleted) {
        List<Version> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions;
    }

    /** The version named by {@code spec}: a number, or {@code latest} / {@code -1} for the newest. */
    Version version(String subject, String spec, boolean includeDeleted) {
        VersionSpec wanted = parseVersion(spec);
        List<Version> versions = versions(subject, includeDeleted);
        if (wanted.latest()) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == wanted.number()).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(subject, wanted.number()));
    }

    /** The version of the subject that holds exactly this schema. */
    Version lookup(String subject, Schema schema, boolean includeDeleted) {
        String text = schema.toString();
        List<Version> versions = versions(subject, includeDeleted);
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versions.get(i).schema().text().equals(text)) {
                return versions.get(i);
            }
        }
        throw new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found under subject '" + subject + "'.");
    }

    /**
     * Why the schema may not be registered under the subject: against one version when
     * {@code spec} names it, else against the versions the subject's level checks.
     */
    List<String> compatibilityProblems(String subject, String spec, Schema schema) {
        CompatibilityLevel level = state.level(subject);
        if (spec == null) {
            return level.problems(schema, state.versions(subject, false));
        }
        Version old = version(subject, spec, false);
        return level == CompatibilityLevel.NONE ? List.of() : level.problems(schema, old);
    }

    /** The subject's own level, or the global one when subject is null or defaultToGlobal. */
    CompatibilityLevel level(String subject, boolean defaultToGlobal) {
        if (subject == null) {
            return state.globalLevel();
        }
        Optional<CompatibilityLevel> own = state.subjectLevel(subject);
        if (own.isPresent()) {
            return own.get();
        }
        if (defaultToGlobal) {
            return state.globalLevel();
        }
        throw new RegistryError(404, SchemaRegistryException.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    // ---- writes ---------------------------------------------------------------------------------

    /** Registers the schema under the subject and returns its id; the same id again for a schema it already has. */
    int register(String subject, Schema schema) {
        String text = schema.toString();
        writes.lock();
        try {
            log.catchUp();
            List<Version> live = state.versions(subject, false);
            for (Version version : live) {
                if (version.schema().text().equals(text)) {
                    return version.id();
                }
            }
            CompatibilityLevel level = state.level(subject);
            List<String> problems = level.problems(schema, live);
            if (!problems.isEmpty()) {
                throw new RegistryError(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject '" + subject
                                + "' under " + level + "; details: " + String.join("; ", problems));
            }
            // The same schema text keeps its global id in every subject, as in Confluent's registry.
            int id = state.schemaByText(text).map(StoredSchema::id).orElse(state.maxId() + 1);
            log.append(List.of(StoreFormat.schema(subject, state.maxVersion(subject) + 1, id, text, false)));
            return id;
        } finally {
            writes.unlock();
        }
    }

    /**
     * Soft-deletes the live versions of a subject, or permanently removes a soft-deleted subject;
     * answers the versions deleted.
     */
    List<Integer> deleteSubject(String subject, boolean permanent) {
        writes.lock();
        try {
            log.catchUp();
            List<Version> all = state.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryError.subjectNotFound(subject);
            }
            List<Version> live = all.stream().filter(v -> !v.deleted()).toList();
            List<StoreFormat.Encoded> records = new ArrayList<>();
            if (permanent) {
                if (!live.isEmpty()) {
                    throw new RegistryError(404, SchemaRegistryException.SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                            + "' was not deleted first before being permanently deleted");
                }
                // Written first: compaction may drop the record that held the highest id.
                records.add(StoreFormat.maxId(state.maxId()));
                all.forEach(v -> records.add(StoreFormat.schemaTombstone(subject, v.version())));
            } else {
                if (live.isEmpty()) {
                    throw new RegistryError(404, SchemaRegistryException.SUBJECT_SOFT_DELETED, "Subject '" + subject
                            + "' was soft deleted. Set permanent=true to delete permanently");
                }
                live.forEach(v -> records.add(StoreFormat.schema(subject, v.version(), v.id(), v.schema().text(), true)));
            }
            log.append(records);
            return (permanent ? all : live).stream().map(Version::version).toList();
        } finally {
            writes.unlock();
        }
    }

    /** Sets the level of the subject, or the global level when subject is null. */
    CompatibilityLevel setLevel(String subject, CompatibilityLevel level) {
        writes.lock();
        try {
            log.catchUp();
            log.append(List.of(StoreFormat.config(subject, level)));
            return level;
        } finally {
            writes.unlock();
        }
    }

    /** Removes the subject's own level, so the global one applies; answers the level removed. */
    CompatibilityLevel deleteLevel(String subject) {
        writes.lock();
        try {
            log.catchUp();
            CompatibilityLevel old = level(subject, false);
            log.append(List.of(StoreFormat.config(subject, null)));
            return old;
        } finally {
            writes.unlock();
        }
    }
    @Override
    public void close() {
        writes.lock();
        try {
            log.close();
        } finally {
            writes.unlock();
        }
    }

    private static VersionSpec parseVersion(String spec) {
        if (spec.equals("latest") || spec.equals("-1")) {
            return new VersionSpec(true, 0);
        }
        try {
            int number = Integer.parseInt(spec);
            if (number >= 1) {
                return new VersionSpec(false, number);
            }
        } catch (NumberFormatException e) {
            throw invalidVersion(spec, e);
        }
        throw invalidVersion(spec, null);
    }

    private static RegistryError invalidVersion(String spec, Throwable cause) {
        return new RegistryError(422, SchemaRegistryException.INVALID_VERSION, "The specified version '" + spec
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", cause);
    }

    /** A parsed version path segment. */
    private record VersionSpec(boolean latest, int number) {
    }
}
