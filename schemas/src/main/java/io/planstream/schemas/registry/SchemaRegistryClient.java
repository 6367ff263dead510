package io.planstream.schemas.registry;

import java.util.List;
import java.util.Optional;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API that producers, consumers and operators of
 * Planstream need, for Avro schemas. Implementations are thread-safe. Failures are
 * {@link SchemaRegistryException}s carrying the HTTP status and Confluent error code.
 */
public interface SchemaRegistryClient {

    /**
     * Registers the schema under the subject (a no-op answering the existing id when the subject
     * already has it) and returns its global id.
     *
     * @throws SchemaRegistryException with status 409 when the registry's compatibility rule refuses it
     */
    int register(String subject, Schema schema);

    /** The schema with this global id. */
    Schema getById(int id);

    /** The newest version of the subject. */
    RegisteredSchema getLatest(String subject);

    /** The version of the subject that holds exactly this schema, if there is one. */
    Optional<RegisteredSchema> lookup(String subject, Schema schema);

    /** Whether the schema may be registered under the subject by its compatibility rule; true when the subject has no versions yet. */
    boolean isCompatible(String subject, Schema schema);

    /** The subjects that have at least one version. */
    List<String> subjects();

    /** The versions of the subject, oldest first; empty when the subject does not exist. */
    List<Integer> versions(String subject);

    /** The compatibility level that applies to the subject (its own, else the global one); {@code null} asks for the global one. */
    String compatibility(String subject);

    /**
     * Sets the compatibility level of the subject, or the global level when subject is {@code null};
     * levels are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE.
     *
     * @return the level the registry now holds
     */
    String setCompatibility(String subject, String level);
}
