package io.planstream.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * The Confluent compatibility levels, decided with Avro's own {@link SchemaCompatibility}: BACKWARD
 * means the new schema can read data written with the old one, FORWARD that the old one can read
 * data written with the new one, FULL both; the transitive levels check every earlier version, the
 * others only the latest.
 */
enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    static final CompatibilityLevel DEFAULT = BACKWARD;

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** The level named (any case), if it is one. */
    static Optional<CompatibilityLevel> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Why the candidate may not follow the given versions under this level; empty when it may.
     * Only the newest version is checked unless the level is transitive.
     *
     * @param previous the live versions of the subject, oldest first
     */
    List<String> problems(Schema candidate, List<RegistryState.Version> previous) {
        if (this == NONE || previous.isEmpty()) {
            return List.of();
        }
        List<RegistryState.Version> checked = transitive ? previous : previous.subList(previous.size() - 1, previous.size());
        List<String> problems = new ArrayList<>();
        for (int i = checked.size() - 1; i >= 0; i--) {
            problems.addAll(problems(candidate, checked.get(i)));
        }
        return problems;
    }

    /** Why the candidate and this one version do not meet this level (transitivity aside). */
    List<String> problems(Schema candidate, RegistryState.Version old) {
        List<String> problems = new ArrayList<>();
        if (backward) {
            describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema().schema()),
                    "the new schema cannot read data written with version " + old.version(), problems);
        }
        if (forward) {
            describe(SchemaCompatibility.checkReaderWriterCompatibility(old.schema().schema(), candidate),
                    "version " + old.version() + " cannot read data written with the new schema", problems);
        }
        return problems;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility result, String direction, List<String> out) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            out.add(direction + ": " + describe(incompatibility));
        }
    }

    private static String describe(Incompatibility incompatibility) {
        String where = " at " + incompatibility.getLocation();
        String message = incompatibility.getMessage();
        return switch (incompatibility.getType()) {
            case READER_FIELD_MISSING_DEFAULT_VALUE ->
                    "field '" + message + "'" + where + " has no default value and is missing in the data (READER_FIELD_MISSING_DEFAULT_VALUE)";
            case TYPE_MISMATCH -> "types differ" + where + ": " + message + " (TYPE_MISMATCH)";
            case NAME_MISMATCH -> "names differ" + where + ": " + message + " (NAME_MISMATCH)";
            case MISSING_ENUM_SYMBOLS -> "enum symbols " + message + " are missing" + where + " (MISSING_ENUM_SYMBOLS)";
            case MISSING_UNION_BRANCH -> "union branch missing" + where + ": " + message + " (MISSING_UNION_BRANCH)";
            default -> incompatibility.getType() + where + ": " + message;
        };
    }
}
