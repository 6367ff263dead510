package io.planstream.platform;

import java.util.Map;
import java.util.Objects;

/**
 * How a topic is created: partitions, replication and topic-level configs such as
 * {@code cleanup.policy}. Created by {@link TopicAdmin#ensure} when missing, never altered silently.
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of topic '" + name + "' must be >= 1, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor of topic '" + name + "' must be >= 1, got " + replicationFactor);
        }
        configs = Map.copyOf(configs);
    }
}
