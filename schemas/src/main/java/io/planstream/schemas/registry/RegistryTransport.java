package io.planstream.schemas.registry;

import static io.planstream.schemas.registry.RestSchemaRegistryClient.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG;
import static io.planstream.schemas.registry.RestSchemaRegistryClient.CONTENT_TYPE;
import static io.planstream.schemas.registry.RestSchemaRegistryClient.URL_CONFIG;
import static io.planstream.schemas.registry.RestSchemaRegistryClient.USER_INFO_CONFIG;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON over HTTP to one of several registry URLs: a request that cannot reach one URL (refused, timed
 * out) goes on to the next, and the URL that answered last is tried first next time. An HTTP error is
 * an answer, not a failover reason: it becomes a {@link SchemaRegistryException} with the registry's
 * error code and message.
 */
final class RegistryTransport {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryTransport.class);
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final int MAX_ERROR_BODY_CHARS = 300;

    private final List<Endpoint> endpoints;
    /** The endpoint that answered last: asked first, so a dead first URL costs one timeout, not one per request. */
    private final AtomicInteger preferred = new AtomicInteger();
    private final Duration requestTimeout;
    private final HttpClient http;
    private final ObjectMapper json;

    RegistryTransport(List<Endpoint> endpoints, Duration connectTimeout, Duration requestTimeout, ObjectMapper json) {
        this.endpoints = List.copyOf(endpoints);
        this.requestTimeout = requestTimeout;
        this.json = json;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                // Registries speak HTTP/1.1; skipping the h2c upgrade avoids proxies that mishandle it.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The base URLs, in the order given, without credentials. */
    List<String> urls() {
        return endpoints.stream().map(Endpoint::base).toList();
    }

    /** Sends the request to the preferred endpoint and fails over to the others when one cannot be reached. */
    JsonNode call(String method, String path, JsonNode body) {
        byte[] bytes = body == null ? null : toBytes(body);
        int first = preferred.get();
        List<String> failures = new ArrayList<>();
        SchemaRegistryException unreachable = null;
        for (int i = 0; i < endpoints.size(); i++) {
            int index = (first + i) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            HttpResponse<String> response;
            try {
                response = http.send(request(endpoint, method, path, bytes), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                String failure = endpoint.base() + " (" + describe(e) + ")";
                LOG.debug("schema registry {} {} failed at {}", method, path, failure, e);
                failures.add(failure);
                SchemaRegistryException wrapped = new SchemaRegistryException(SchemaRegistryException.NO_ANSWER,
                        SchemaRegistryException.NO_ANSWER, "", "cannot reach " + failure, e);
                if (unreachable == null) {
                    unreachable = wrapped;
                } else {
                    unreachable.addSuppressed(wrapped);
                }
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(SchemaRegistryException.NO_ANSWER, SchemaRegistryException.NO_ANSWER, "",
                        "interrupted while calling the schema registry at " + endpoint.base() + ": " + method + " " + path, e);
            }
            preferred.set(index);
            return answer(endpoint, method, path, response);
        }
        throw new SchemaRegistryException(SchemaRegistryException.NO_ANSWER, SchemaRegistryException.NO_ANSWER, "",
                "schema registry unreachable for " + method + " " + path + " at " + String.join(", ", failures), unreachable);
    }

    private HttpRequest request(Endpoint endpoint, String method, String path, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.base() + path))
                .timeout(requestTimeout)
                .header("Accept", ACCEPT);
        endpoint.authorization().ifPresent(value -> request.header("Authorization", value));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        }
        return request.build();
    }

    private JsonNode answer(Endpoint endpoint, String method, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        String text = response.body() == null ? "" : response.body();
        if (status / 100 == 2) {
            try {
                return json.readTree(text);
            } catch (JsonProcessingException e) {
                throw new SchemaRegistryException(status, SchemaRegistryException.NO_ANSWER, "",
                        "schema registry at " + endpoint.base() + " answered " + method + " " + path
                                + " with a body that is not JSON: " + abbreviate(text), e);
            }
        }
        int errorCode = status;
        String message = abbreviate(text);
        try {
            JsonNode error = json.readTree(text);
            if (error != null && error.isObject()) {
                errorCode = error.path("error_code").asInt(status);
                message = error.path("message").asText(message);
            }
        } catch (JsonProcessingException e) {
            // Not a Confluent error body (a proxy's HTML page, say): the raw text above is the message.
            LOG.debug("schema registry error body is not JSON: {}", e.getMessage());
        }
        String hint = status == 401 || status == 403
                ? " (check " + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + " and " + USER_INFO_CONFIG + ")"
                : "";
        throw new SchemaRegistryException(status, errorCode, message, "schema registry at " + endpoint.base()
                + " answered " + status + " (error_code " + errorCode + ") to " + method + " " + path + ": " + message + hint,
                null);
    }

    private byte[] toBytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON request body", e);
        }
    }

    private static String describe(IOException e) {
        // The JDK's ConnectException often has no message; its class name is the useful part.
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static String abbreviate(String text) {
        String flat = text.strip();
        return flat.length() <= MAX_ERROR_BODY_CHARS ? flat : flat.substring(0, MAX_ERROR_BODY_CHARS) + "...";
    }

    /** One base URL and the Authorization header it gets. */
    record Endpoint(String base, Optional<String> authorization) {
    }

    /**
     * The endpoints of comma-separated {@code urls}; {@code userInfo}, where not null, is every URL's
     * basic-auth credentials, else each URL's own user info.
     */
    static List<Endpoint> endpoints(String urls, String userInfo) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String raw : urls.split(",")) {
            String trimmed = raw.trim();
            if (!trimmed.isEmpty()) {
                endpoints.add(endpoint(trimmed, userInfo));
            }
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException(URL_CONFIG + " has no URL in '" + urls + "'");
        }
        return List.copyOf(endpoints);
    }

    private static Endpoint endpoint(String url, String userInfo) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(URL_CONFIG + " has an invalid URL '" + url + "': " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(URL_CONFIG + " must hold http:// or https:// URLs with a host, got '" + url + "'");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        String base = scheme + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path;
        String credentials = userInfo != null ? userInfo : uri.getUserInfo();
        Optional<String> authorization = Optional.ofNullable(credentials).map(c -> "Basic "
                + Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8)));
        return new Endpoint(base, authorization);
    }
}
