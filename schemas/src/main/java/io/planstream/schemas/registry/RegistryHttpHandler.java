package io.planstream.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import io.planstream.schemas.registry.RegistryState.Version;

/**
 * The Confluent Schema Registry REST API over a {@link SchemaStore}: routing, JSON in and out, and
 * the one place where a {@link RegistryError} becomes an HTTP answer
 * ({@code {"error_code": ..., "message": ...}}).
 */
final class RegistryHttpHandler implements HttpHandler {

    /** Bound on a request body; the largest real schemas are a few hundred KiB. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaStore store;

    RegistryHttpHandler(SchemaStore store) {
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        Answer answer = null;
        try {
            answer = route(new Request(exchange));
        } catch (RegistryError e) {
            if (e.status() >= 500) {
                LOG.warn("{} {} failed: {}", method, path, e.getMessage(), e);
            }
            answer = Answer.error(e.status(), e.errorCode(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed unexpectedly", method, path, e);
            answer = Answer.error(500, SchemaRegistryException.STORE_ERROR, "Internal error: " + e);
        } finally {
            // Even when an Error goes on up, the client gets an answer instead of waiting for its timeout.
            send(exchange, answer != null ? answer
                    : Answer.error(500, SchemaRegistryException.STORE_ERROR, "Internal error"), method, path);
        }
    }

    private static void send(HttpExchange exchange, Answer answer, String method, String path) {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer.body());
            }
        } catch (IOException e) {
            // The client went away before reading its answer; nothing is left to tell it.
            LOG.debug("could not answer {} {}: {}", method, path, e.toString());
        }
    }

    private Answer route(Request r) {
        List<String> s = r.segments();
        if (s.isEmpty()) {
            r.require("GET");
            return Answer.json(200, JSON.createObjectNode());
        }
        return switch (s.get(0)) {
            case "schemas" -> schemas(r, s);
            case "subjects" -> subjects(r, s);
            case "compatibility" -> compatibility(r, s);
            case "config" -> config(r, s);
            case "mode" -> {
                r.require("GET");
                yield Answer.json(200, JSON.createObjectNode().put("mode", "READWRITE"));
            }
            default -> throw notFound(r);
        };
    }

    // GET /schemas/types, /schemas/ids/{id}[/subjects|/versions|/schema]
    private Answer schemas(Request r, List<String> s) {
        if (s.size() == 2 && s.get(1).equals("types")) {
            r.require("GET");
            return Answer.json(200, JSON.createArrayNode().add("AVRO"));
        }
        if (s.size() < 3 || s.size() > 4 || !s.get(1).equals("ids")) {
            throw notFound(r);
        }
        r.require("GET");
        int id = schemaId(s.get(2));
        if (s.size() == 3) {
            return Answer.json(200, JSON.createObjectNode().put("schema", store.schemaById(id).text()));
        }
        boolean deleted = r.flag("deleted");
        return switch (s.get(3)) {
            case "subjects" -> {
                ArrayNode subjects = JSON.createArrayNode();
                store.versionsWithId(id, deleted).stream().map(Version::subject).distinct().sorted().forEach(subjects::add);
                yield Answer.json(200, subjects);
            }
            case "versions" -> {
                ArrayNode versions = JSON.createArrayNode();
                store.versionsWithId(id, deleted).forEach(v -> versions.addObject()
                        .put("subject", v.subject()).put("version", v.version()));
                yield Answer.json(200, versions);
            }
            case "schema" -> Answer.text(store.schemaById(id).text());
            default -> throw notFound(r);
        };
    }

    // /subjects, /subjects/{s}, /subjects/{s}/versions[/{v}[/schema]]
    private Answer subjects(Request r, List<String> s) {
        if (s.size() == 1) {
            r.require("GET");
            ArrayNode subjects = JSON.createArrayNode();
            store.subjects(r.flag("deleted")).forEach(subjects::add);
            return Answer.json(200, subjects);
        }
        String subject = s.get(1);
        if (s.size() == 2) {
            return switch (r.method()) {
                case "POST" -> Answer.json(200, versionJson(store.lookup(subject, schemaFrom(r, false), r.flag("deleted"))));
                case "DELETE" -> {
                    ArrayNode versions = JSON.createArrayNode();
                    store.deleteSubject(subject, r.flag("permanent")).forEach(versions::add);
                    yield Answer.json(200, versions);
                }
                default -> throw methodNotAllowed(r);
            };
        }
        if (!s.get(2).equals("versions") || s.size() > 5) {
            throw notFound(r);
        }
        if (s.size() == 3) {
            return switch (r.method()) {
                case "GET" -> {
                    ArrayNode versions = JSON.createArrayNode();
                    store.versions(subject, r.flag("deleted")).forEach(v -> versions.add(v.version()));
                    yield Answer.json(200, versions);
                }
                case "POST" -> Answer.json(200, JSON.createObjectNode().put("id", store.register(subject, schemaFrom(r, true))));
                default -> throw methodNotAllowed(r);
            };
        }
        r.require("GET");
        Version version = store.version(subject, s.get(3), r.flag("deleted"));
        if (s.size() == 4) {
            return Answer.json(200, versionJson(version));
        }
        if (!s.get(4).equals("schema")) {
            throw notFound(r);
        }
        return Answer.text(version.schema().text());
    }

    // POST /compatibility/subjects/{s}/versions[/{v}]
    private Answer compatibility(Request r, List<String> s) {
        if (s.size() < 4 || s.size() > 5 || !s.get(1).equals("subjects") || !s.get(3).equals("versions")) {
            throw notFound(r);
        }
        r.require("POST");
        List<String> problems = store.compatibilityProblems(s.get(2), s.size() == 5 ? s.get(4) : null, schemaFrom(r, false));
        ObjectNode answer = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        ArrayNode messages = answer.putArray("messages");
        problems.forEach(messages::add);
        return Answer.json(200, answer);
    }

    // /config, /config/{s}
    private Answer config(Request r, List<String> s) {
        if (s.size() > 2) {
            throw notFound(r);
        }
        String subject = s.size() == 2 ? s.get(1) : null;
        return switch (r.method()) {
            case "GET" -> Answer.json(200, JSON.createObjectNode()
                    .put("compatibilityLevel", store.level(subject, subject == null || r.flag("defaultToGlobal")).name()));
            case "PUT" -> Answer.json(200, JSON.createObjectNode()
                    .put("compatibility", store.setLevel(subject, levelFrom(r)).name()));
            case "DELETE" -> {
                if (subject == null) {
                    throw methodNotAllowed(r);
                }
                yield Answer.json(200, JSON.createObjectNode().put("compatibilityLevel", store.deleteLevel(subject).name()));
            }
            default -> throw methodNotAllowed(r);
        };
    }

    private static ObjectNode versionJson(Version v) {
        return JSON.createObjectNode()
                .put("subject", v.subject())
                .put("version", v.version())
                .put("id", v.id())
                .put("schema", v.schema().text());
    }

    private static Schema schemaFrom(Request r, boolean registering) {
        JsonNode body = r.jsonBody();
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw RegistryError.invalidSchema("schemaType " + type + " is not supported; this registry holds Avro schemas only");
        }
        if (body.path("references").size() > 0) {
            throw RegistryError.invalidSchema("schema references are not supported");
        }
        if (registering && body.hasNonNull("id")) {
            throw RegistryError.invalidSchema("registering under a given id (IMPORT mode) is not supported");
        }
        JsonNode text = body.get("schema");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw RegistryError.invalidSchema("the request has no \"schema\" string");
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (AvroRuntimeException e) {
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }

    private static CompatibilityLevel levelFrom(Request r) {
        JsonNode body = r.jsonBody();
        // Confluent's request field is "compatibility"; some clients send the name GET answers with.
        JsonNode level = body.has("compatibility") ? body.get("compatibility") : body.get("compatibilityLevel");
        String name = level == null ? null : level.asText();
        return CompatibilityLevel.parse(name).orElseThrow(() -> new RegistryError(422,
                SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level '" + name
                        + "'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive,"
                        + " and full_transitive"));
    }

    private static int schemaId(String segment) {
        try {
            return Integer.parseInt(segment);
        } catch (NumberFormatException e) {
            throw new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema '" + segment + "' not found.", e);
        }
    }

    private static RegistryError notFound(Request r) {
        return new RegistryError(404, 404, "HTTP 404 Not Found: " + r.method() + " " + r.path());
    }

    private static RegistryError methodNotAllowed(Request r) {
        return new RegistryError(405, 405, "HTTP 405 Method Not Allowed: " + r.method() + " " + r.path());
    }

    /** One answer: status, content type and body. */
    private record Answer(int status, String contentType, byte[] body) {

        static Answer json(int status, JsonNode body) {
            try {
                return new Answer(status, RestSchemaRegistryClient.CONTENT_TYPE, JSON.writeValueAsBytes(body));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON", e);
            }
        }

        static Answer text(String body) {
            // Confluent answers the bare schema text for .../schema, under its JSON media type.
            return new Answer(200, RestSchemaRegistryClient.CONTENT_TYPE, body.getBytes(StandardCharsets.UTF_8));
        }

        static Answer error(int status, int errorCode, String message) {
            return json(status, JSON.createObjectNode().put("error_code", errorCode).put("message", message));
        }
    }

    /** The parts of a request the routes need: method, decoded path segments, query flags, bounded body. */
    private static final class Request {
        private final HttpExchange exchange;
        private final List<String> segments = new ArrayList<>();
        private final Map<String, String> query = new HashMap<>();

        Request(HttpExchange exchange) {
            this.exchange = exchange;
            // Split the raw path before decoding so that %2F inside a subject stays part of it.
            for (String segment : exchange.getRequestURI().getRawPath().split("/")) {
                if (!segment.isEmpty()) {
                    segments.add(decode(segment));
                }
            }
            String rawQuery = exchange.getRequestURI().getRawQuery();
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    int eq = pair.indexOf('=');
                    String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                    query.put(key, eq < 0 ? "true" : decode(pair.substring(eq + 1)));
                }
            }
        }

        String method() {
            return exchange.getRequestMethod();
        }

        String path() {
            return exchange.getRequestURI().getRawPath();
        }

        List<String> segments() {
            return segments;
        }

        boolean flag(String name) {
            return Boolean.parseBoolean(query.get(name));
        }

        void require(String method) {
            if (!method().equals(method)) {
                throw methodNotAllowed(this);
            }
        }

        JsonNode jsonBody() {
            byte[] bytes;
            try (InputStream in = exchange.getRequestBody()) {
                bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            } catch (IOException e) {
                throw new RegistryError(400, 400, "cannot read the request body: " + e.getMessage(), e);
            }
            if (bytes.length > MAX_BODY_BYTES) {
                throw new RegistryError(413, 413, "request body larger than " + MAX_BODY_BYTES + " bytes");
            }
            try {
                JsonNode body = JSON.readTree(bytes);
                if (body == null || !body.isObject()) {
                    throw new RegistryError(400, 400, "the request body must be a JSON object");
                }
                return body;
            } catch (IOException e) {
                throw new RegistryError(400, 400, "the request body is not JSON: " + e.getMessage(), e);
            }
        }

        private static String decode(String raw) {
            try {
                // In a path '+' is a plus sign, not a space as in a form.
                return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new RegistryError(400, 400, "bad percent-encoding in '" + raw + "'", e);
            }
        }
    }
}
