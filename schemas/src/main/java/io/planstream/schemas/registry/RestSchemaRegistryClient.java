package io.planstream.schemas.registry;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@link SchemaRegistryClient} over the Confluent Schema Registry REST API, so one configuration
 * works against Confluent Schema Registry, Apicurio (its {@code ccompat} API), Karapace, Redpanda and
 * {@link EmbeddedSchemaRegistry}.
 *
 * <p>Configured with Confluent's keys ({@link #fromConfig(Map)}) or a {@link #builder()}. Several
 * URLs may be given, comma-separated: a request that cannot reach one URL (refused, timed out)
 * goes on to the next, and the URL that answered last is tried first next time. An HTTP error is
 * an answer, not a failover reason. Answers that never change (the schema of an id, the id of a
 * schema in a subject) are cached, bounded by {@link #CACHE_CAPACITY_CONFIG}.
 *
 * <p>This class speaks the registry's API; the {@link RegistryTransport} sends the requests with the
 * failover, and the {@link RegistryCache} keeps the answers.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    /** Comma-separated base URLs of the registry, e.g. {@code http://sr1:8081,http://sr2:8081}. Required. */
    public static final String URL_CONFIG = "schema.registry.url";
    /** Where basic-auth credentials come from: {@code USER_INFO} (from {@link #USER_INFO_CONFIG}) or {@code URL} (user info in the URL, the default). */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    /** {@code user:password} for basic auth when the credentials source is {@code USER_INFO}. */
    public static final String USER_INFO_CONFIG = "basic.auth.user.info";
    /** The older spelling of {@link #USER_INFO_CONFIG} that Confluent's serializers still accept. */
    public static final String SCHEMA_REGISTRY_USER_INFO_CONFIG = "schema.registry.basic.auth.user.info";
    /** Bound of each cache (Confluent's name for it); default {@value #DEFAULT_CACHE_CAPACITY}. */
    public static final String CACHE_CAPACITY_CONFIG = "max.schemas.per.subject";
    /** Connect timeout per URL in milliseconds; default 10000. */
    public static final String CONNECT_TIMEOUT_MS_CONFIG = "http.connect.timeout.ms";
    /** Timeout of one request (until the answer is read) in milliseconds; default 30000. */
    public static final String READ_TIMEOUT_MS_CONFIG = "http.read.timeout.ms";

    /** The media type of the Confluent API, sent with every request body. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    public static final int DEFAULT_CACHE_CAPACITY = 1000;
    /**
     * Shorter than Confluent's 60 s defaults: a serializer calls the registry on the producer's
     * thread, and a dead registry should surface in seconds, not minutes.
     */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final RegistryTransport transport;
    private final ObjectMapper json = new ObjectMapper();
    private final RegistryCache cache;

    private RestSchemaRegistryClient(Builder builder) {
        this.transport = new RegistryTransport(RegistryTransport.endpoints(builder.urls, builder.userInfo),
                builder.connectTimeout, builder.requestTimeout, json);
        this.cache = new RegistryCache(builder.cacheCapacity);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client configured with Confluent's keys: {@value #URL_CONFIG} (required),
     * {@value #BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG}, {@value #USER_INFO_CONFIG},
     * {@value #CACHE_CAPACITY_CONFIG}, {@value #CONNECT_TIMEOUT_MS_CONFIG},
     * {@value #READ_TIMEOUT_MS_CONFIG}. Other keys are ignored, so a whole producer or consumer
     * configuration can be passed.
     *
     * @throws IllegalArgumentException naming the key and the bad value
     */
    public static RestSchemaRegistryClient fromConfig(Map<String, ?> configs) {
        Object urls = configs.get(URL_CONFIG);
        if (urls == null || urls.toString().isBlank()) {
            throw new IllegalArgumentException(URL_CONFIG
                    + " is required: the base URL of a Confluent-compatible schema registry, e.g. http://127.0.0.1:8081");
        }
        Builder builder = builder().setUrls(urls instanceof Collection<?> list
                ? String.join(",", list.stream().map(String::valueOf).toList())
                : urls.toString());
        String source = string(configs, BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "URL").toUpperCase(Locale.ROOT);
        switch (source) {
            case "USER_INFO" -> {
                String userInfo = string(configs, USER_INFO_CONFIG, string(configs, SCHEMA_REGISTRY_USER_INFO_CONFIG, ""));
                if (userInfo.isEmpty()) {
                    throw new IllegalArgumentException(USER_INFO_CONFIG + " is required when "
                            + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + "=USER_INFO");
                }
                builder.optBasicAuth(userInfo);
            }
            case "URL" -> {
                // Credentials, if any, come from each URL's user info (see Builder#endpoints).
            }
            default -> throw new IllegalArgumentException(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG
                    + " must be USER_INFO or URL, got '" + source + "'");
        }
        // Settings this client does not implement fail here rather than being silently ignored.
        if (configs.get("bearer.auth.credentials.source") != null) {
            throw new IllegalArgumentException("bearer.auth.credentials.source is not supported; use basic auth");
        }
        for (String key : configs.keySet()) {
            if (key.startsWith("schema.registry.ssl.")) {
                throw new IllegalArgumentException(key + " is not supported: for a private CA use the JVM trust store"
                        + " (-Djavax.net.ssl.trustStore=...)");
            }
        }
        builder.optCacheCapacity(positiveInt(configs, CACHE_CAPACITY_CONFIG, DEFAULT_CACHE_CAPACITY));
        builder.optConnectTimeout(Duration.ofMillis(
                positiveInt(configs, CONNECT_TIMEOUT_MS_CONFIG, (int) DEFAULT_CONNECT_TIMEOUT.toMillis())));
        builder.optRequestTimeout(Duration.ofMillis(
                positiveInt(configs, READ_TIMEOUT_MS_CONFIG, (int) DEFAULT_REQUEST_TIMEOUT.toMillis())));
        return builder.build();
    }

    /** The base URLs this client uses, in the order given, without credentials. */
    public List<String> urls() {
        return transport.urls();
    }

    @Override
    public int register(String subject, Schema schema) {
        requireSubject(subject);
        Objects.requireNonNull(schema, "schema");
        Integer cached = cache.id(subject, schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer;
        try {
            answer = transport.call("POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schema));
        } catch (SchemaRegistryException e) {
            if (e.status() == 409) {
                throw incompatible(subject, e);
            }
            if (e.errorCode() == SchemaRegistryException.INVALID_SCHEMA) {
                throw new SchemaRegistryException(e.status(), e.errorCode(), e.serverMessage(),
                        "schema for subject '" + subject + "' is invalid: " + e.serverMessage(), e);
            }
            throw e;
        }
        int id = requiredInt(answer, "id", "POST /subjects/" + subject + "/versions");
        cache.put(subject, schema, id);
        return id;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = cache.schema(id);
        if (cached != null) {
            return cached;
        }
        String path = "/schemas/ids/" + id;
        JsonNode answer = transport.call("GET", path, null);
        Schema schema = parseAvro(answer, "schema id " + id);
        cache.putSchema(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema getLatest(String subject) {
        requireSubject(subject);
        JsonNode answer = transport.call("GET", "/subjects/" + segment(subject) + "/versions/latest", null);
        return remember(registered(subject, answer, "the latest version of subject '" + subject + "'"));
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        requireSubject(subject);
        Objects.requireNonNull(schema, "schema");
        try {
            JsonNode answer = transport.call("POST", "/subjects/" + segment(subject), schemaBody(schema));
            return Optional.of(remember(registered(subject, answer, "the lookup in subject '" + subject + "'")));
        } catch (SchemaRegistryException e) {
            // Only the two "not there" answers mean absent; any other 404 (a wrong base path) is an error.
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                    || e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        requireSubject(subject);
        Objects.requireNonNull(schema, "schema");
        try {
            JsonNode answer = transport.call("POST", "/compatibility/subjects/" + segment(subject) + "/versions/latest?verbose=true",
                    schemaBody(schema));
            JsonNode compatible = answer.get("is_compatible");
            if (compatible == null || !compatible.isBoolean()) {
                throw malformed("the compatibility check for subject '" + subject + "'", "is_compatible", answer);
            }
            return compatible.booleanValue();
        } catch (SchemaRegistryException e) {
            // A subject without versions accepts any first schema.
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                    || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    @Override
    public List<String> subjects() {
        JsonNode answer = transport.call("GET", "/subjects", null);
        List<String> subjects = new ArrayList<>();
        for (JsonNode node : array(answer, "the subject list")) {
            subjects.add(node.asText());
        }
        return subjects;
    }

    @Override
    public List<Integer> versions(String subject) {
        requireSubject(subject);
        JsonNode answer;
        try {
            answer = transport.call("GET", "/subjects/" + segment(subject) + "/versions", null);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
        List<Integer> versions = new ArrayList<>();
        for (JsonNode node : array(answer, "the versions of subject '" + subject + "'")) {
            versions.add(node.asInt());
        }
        return versions;
    }

    @Override
    public String compatibility(String subject) {
        if (subject == null) {
            return level(transport.call("GET", "/config", null), "the global configuration");
        }
        requireSubject(subject);
        try {
            return level(transport.call("GET", "/config/" + segment(subject) + "?defaultToGlobal=true", null),
                    "the configuration of subject '" + subject + "'");
        } catch (SchemaRegistryException e) {
            // Registries that ignore defaultToGlobal answer 404 for a subject without its own level.
            if (e.isNotFound()) {
                return compatibility(null);
            }
            throw e;
        }
    }

    @Override
    public String setCompatibility(String subject, String level) {
        Objects.requireNonNull(level, "level");
        String path = subject == null ? "/config" : "/config/" + segment(requireSubject(subject));
        ObjectNode body = json.createObjectNode().put("compatibility", level);
        JsonNode answer = transport.call("PUT", path, body);
        JsonNode set = answer.get("compatibility");
        return set != null && set.isTextual() ? set.asText() : level(answer, "PUT " + path);
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient" + urls();
    }

    /**
     * Turns the registry's 409 into a message that says which version and rule refused the schema.
     * The two follow-up requests only add detail: if they fail, the message says less and their
     * failures travel along as suppressed exceptions.
     */
    private SchemaRegistryException incompatible(String subject, SchemaRegistryException refusal) {
        List<SchemaRegistryException> followUpFailures = new ArrayList<>();
        String version = "the registered versions";
        String level = "its compatibility rule";
        try {
            version = "version " + getLatest(subject).version();
        } catch (SchemaRegistryException e) {
            followUpFailures.add(e);
        }
        try {
            level = compatibility(subject);
        } catch (SchemaRegistryException e) {
            followUpFailures.add(e);
        }
        SchemaRegistryException e = new SchemaRegistryException(refusal.status(), refusal.errorCode(), refusal.serverMessage(),
                "schema for subject '" + subject + "' is incompatible with " + version + " under " + level + ": "
                        + refusal.serverMessage(), refusal);
        followUpFailures.forEach(e::addSuppressed);
        return e;
    }

    // ---- answers --------------------------------------------------------------------------------

    private RegisteredSchema registered(String subject, JsonNode answer, String what) {
        Schema schema = parseAvro(answer, what);
        String answeredSubject = answer.path("subject").asText(subject);
        return new RegisteredSchema(answeredSubject, requiredInt(answer, "id", what), requiredInt(answer, "version", what), schema);
    }

    private RegisteredSchema remember(RegisteredSchema registered) {
        cache.put(registered.subject(), registered.schema(), registered.id());
        return registered;
    }

    private Schema parseAvro(JsonNode answer, String what) {
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new SchemaRegistryException(SchemaRegistryException.NO_ANSWER, SchemaRegistryException.NO_ANSWER, "",
                    what + " is a " + type.asText() + " schema; this client handles Avro only", null);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw malformed(what, "schema", answer);
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (AvroRuntimeException e) {
            throw new SchemaRegistryException(SchemaRegistryException.NO_ANSWER, SchemaRegistryException.NO_ANSWER, "",
                    "the registry's answer for " + what + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private static String level(JsonNode answer, String what) {
        for (String field : List.of("compatibilityLevel", "compatibility")) {
            JsonNode level = answer.get(field);
            if (level != null && level.isTextual()) {
                return level.asText();
            }
        }
        throw malformed(what, "compatibilityLevel", answer);
    }

    private static int requiredInt(JsonNode answer, String field, String what) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw malformed(what, field, answer);
        }
        return value.intValue();
    }

    private static Iterable<JsonNode> array(JsonNode answer, String what) {
        if (!answer.isArray()) {
            throw malformed(what, "[...]", answer);
        }
        return answer;
    }

    private static SchemaRegistryException malformed(String what, String field, JsonNode answer) {
        return new SchemaRegistryException(SchemaRegistryException.NO_ANSWER, SchemaRegistryException.NO_ANSWER, "",
                "the registry's answer for " + what + " lacks '" + field + "': " + RegistryTransport.abbreviate(String.valueOf(answer)), null);
    }

    private ObjectNode schemaBody(Schema schema) {
        // "schemaType" is left out: AVRO is the default, and older registries reject the field.
        return json.createObjectNode().put("schema", schema.toString());
    }

    private static String requireSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank, got '" + subject + "'");
        }
        return subject;
    }

    /** Encodes one path segment: '/' in a subject must not split the path, and '+' is not a space there. */
    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String string(Map<String, ?> configs, String key, String fallback) {
        Object value = configs.get(key);
        return value == null ? fallback : value.toString().trim();
    }

    private static int positiveInt(Map<String, ?> configs, String key, int fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = value instanceof Number number ? Math.toIntExact(number.longValue()) : Integer.parseInt(value.toString().trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + " must be a positive integer, got '" + value + "'", e);
        }
        throw new IllegalArgumentException(key + " must be a positive integer, got '" + value + "'");
    }

    /** Settings of a {@link RestSchemaRegistryClient}: {@link #setUrls} is required. */
    public static final class Builder {
        private String urls;
        private String userInfo;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int cacheCapacity = DEFAULT_CACHE_CAPACITY;

        private Builder() {
        }

        /** Comma-separated base URLs; {@code http://user:pass@host:8081} carries basic-auth credentials unless {@link #optBasicAuth} is set. */
        public Builder setUrls(String urls) {
            this.urls = Objects.requireNonNull(urls, "urls");
            return this;
        }

        /** Basic-auth credentials {@code user:password} for every URL. */
        public Builder optBasicAuth(String userInfo) {
            if (userInfo == null || userInfo.indexOf(':') < 0) {
                throw new IllegalArgumentException("basic auth user info must be 'user:password'");
            }
            this.userInfo = userInfo;
            return this;
        }

        public Builder optConnectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        public Builder optRequestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        public Builder optCacheCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("cache capacity must be at least 1, got " + capacity);
            }
            this.cacheCapacity = capacity;
            return this;
        }

        public RestSchemaRegistryClient build() {
            if (urls == null || urls.isBlank()) {
                throw new IllegalArgumentException(URL_CONFIG + " is required: at least one registry URL");
            }
            return new RestSchemaRegistryClient(this);
        }

        private static Duration positive(Duration timeout, String name) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + timeout);
            }
            return timeout;
        }
    }
}
