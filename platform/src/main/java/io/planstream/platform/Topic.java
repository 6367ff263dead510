package io.planstream.platform;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;

/**
 * One topic as producers, consumers and tests see it: its name and the serdes of its keys and values.
 * Descriptors are built once per process by {@link Topics} and shared; they hold no mutable state.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }
}
