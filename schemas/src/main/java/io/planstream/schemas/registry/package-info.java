/**
 * A client for the Confluent Schema Registry REST API ({@link io.planstream.schemas.registry.RestSchemaRegistryClient}),
 * which also works against Apicurio's ccompat API, Karapace and Redpanda, and a registry with the same
 * API for the one-machine default ({@link io.planstream.schemas.registry.EmbeddedSchemaRegistry}) that
 * keeps its schemas in a compacted Kafka topic. Confluent's own client is not on Maven Central.
 */
package io.planstream.schemas.registry;
