package io.planstream.app.config;

import java.time.Duration;
import java.util.Map;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Test helper: a configuration mapping read as Quarkus reads it, from {@code properties} and its defaults, without starting Quarkus. */
public final class ConfigMappings {

    private ConfigMappings() {
    }

    public static <T> T read(Class<T> mapping, Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(mapping)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 250))
                .build().getConfigMapping(mapping);
    }
}
