package io.planstream.schemas.serde;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;

import io.planstream.schemas.registry.RestSchemaRegistryClient;
import io.planstream.schemas.registry.SchemaRegistryClient;

/**
 * The Confluent configuration keys the Avro serdes understand, and their parsed values. Keys the
 * serdes do not know are ignored, so a whole producer or consumer configuration can be passed; keys
 * they know are checked, and a bad value fails {@code configure} with a message naming it.
 */
public final class AvroSerdeConfig {

    /** Base URL(s) of the schema registry, comma-separated. Required unless a client is given to the serde. */
    public static final String SCHEMA_REGISTRY_URL_CONFIG = RestSchemaRegistryClient.URL_CONFIG;
    /** Whether the serializer registers the record's schema under the subject (default true). */
    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    /**
     * With {@link #AUTO_REGISTER_SCHEMAS_CONFIG} false: write with the subject's latest registered
     * schema (its id), after checking that it can hold the record's data (default false).
     */
    public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
    /** Only Confluent's TopicNameStrategy ({@code <topic>-key}, {@code <topic>-value}) is supported. */
    public static final String KEY_SUBJECT_NAME_STRATEGY_CONFIG = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY_CONFIG = "value.subject.name.strategy";
    /** See {@link RestSchemaRegistryClient} for these and the timeout keys. */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = RestSchemaRegistryClient.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG;
    public static final String USER_INFO_CONFIG = RestSchemaRegistryClient.USER_INFO_CONFIG;

    private final SchemaRegistryClient client;
    private final boolean isKey;
    private final boolean autoRegister;
    private final boolean useLatestVersion;

    private AvroSerdeConfig(SchemaRegistryClient client, boolean isKey, boolean autoRegister, boolean useLatestVersion) {
        this.client = client;
        this.isKey = isKey;
        this.autoRegister = autoRegister;
        this.useLatestVersion = useLatestVersion;
    }

    /** The defaults, for a serde given a client and never configured (Kafka does not configure serde instances). */
    static AvroSerdeConfig defaults(SchemaRegistryClient client) {
        return new AvroSerdeConfig(client, false, true, false);
    }

    /**
     * Parses the serde keys; builds a {@link RestSchemaRegistryClient} from them unless {@code injected} is given.
     *
     * @throws ConfigException naming the key and the bad value
     */
    static AvroSerdeConfig parse(Map<String, ?> configs, boolean isKey, SchemaRegistryClient injected) {
        checkStrategy(configs, isKey ? KEY_SUBJECT_NAME_STRATEGY_CONFIG : VALUE_SUBJECT_NAME_STRATEGY_CONFIG);
        boolean autoRegister = bool(configs, AUTO_REGISTER_SCHEMAS_CONFIG, true);
        boolean useLatest = bool(configs, USE_LATEST_VERSION_CONFIG, false);
        SchemaRegistryClient client = injected;
        if (client == null) {
            try {
                client = RestSchemaRegistryClient.fromConfig(configs);
            } catch (IllegalArgumentException e) {
                ConfigException refused = new ConfigException(e.getMessage());
                refused.initCause(e);
                throw refused;
            }
        }
        return new AvroSerdeConfig(client, isKey, autoRegister, useLatest);
    }

    SchemaRegistryClient client() {
        return client;
    }

    boolean autoRegister() {
        return autoRegister;
    }

    boolean useLatestVersion() {
        return useLatestVersion;
    }

    /** The subject of a topic by TopicNameStrategy. */
    String subject(String topic) {
        return topic + (isKey ? "-key" : "-value");
    }

    private static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(key, value, "must be true or false");
    }

    private static void checkStrategy(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null) {
            return;
        }
        String name = value instanceof Class<?> c ? c.getName() : value.toString().trim();
        if (!name.equals("TopicNameStrategy") && !name.endsWith(".TopicNameStrategy")) {
            throw new ConfigException(key, value, "only TopicNameStrategy (subjects <topic>-key and <topic>-value) is supported");
        }
    }
}
