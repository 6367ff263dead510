package io.planstream.ingest;

/** An upload that Kafka acknowledged: it is durable from here on. */
public record Accepted(String id, String format, int width, int height, int partition, long offset) {
}
