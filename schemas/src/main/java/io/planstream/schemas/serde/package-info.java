/**
 * Kafka serdes for Avro specific records in Confluent's wire format (magic byte 0, 4-byte schema id,
 * Avro binary), configured with Confluent's keys, with subjects by TopicNameStrategy. Records they
 * write can be read by Confluent's deserializers and the other way round.
 */
package io.planstream.schemas.serde;
