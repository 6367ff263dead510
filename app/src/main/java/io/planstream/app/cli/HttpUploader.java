package io.planstream.app.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Uploads images to a running server's {@code POST /images}, retrying a 503 with the server's Retry-After. */
final class HttpUploader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTEMPTS = 5;

    private final HttpClient client;
    private final URI images;
    private final String apiKey;

    HttpUploader(String baseUrl) {
        this(baseUrl, null);
    }

    /** @param apiKey sent as {@code X-API-Key}; null for a server without access control */
    HttpUploader(String baseUrl, String apiKey) {
        this.apiKey = apiKey;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        this.images = URI.create(baseUrl.replaceAll("/+$", "") + "/images");
    }

    /** One upload's outcome: the HTTP status, the id (when accepted) or the server's reason. */
    record Result(int status, String id, String error, String message, long nanos) {
        boolean accepted() {
            return status == 202;
        }
    }

    /**
     * @throws ServerUnreachableException when nothing answers at the URL
     */
    Result upload(byte[] body, String contentType, Map<String, String> query) throws InterruptedException {
        HttpRequest request = ServerOptions.authorize(HttpRequest.newBuilder(withQuery(query)), apiKey)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            HttpResponse<String> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                throw new ServerUnreachableException("cannot reach " + images + ": is `planstream serve` running there?");
            } catch (IOException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    return new Result(0, null, "io_error", e.toString(), System.nanoTime() - start);
                }
                Thread.sleep(backoffMillis(attempt, null));
                continue;
            }
            long nanos = System.nanoTime() - start;
            if (response.statusCode() == 503 && attempt < MAX_ATTEMPTS) {
                Thread.sleep(backoffMillis(attempt, response.headers().firstValue("Retry-After").orElse(null)));
                continue;
            }
            return parse(response, nanos);
        }
    }

    private static Result parse(HttpResponse<String> response, long nanos) {
        try {
            JsonNode json = JSON.readTree(response.body());
            if (response.statusCode() == 202) {
                return new Result(202, json.path("id").asText(), null, null, nanos);
            }
            return new Result(response.statusCode(), null, json.path("error").asText("http_" + response.statusCode()),
                    json.path("message").asText(response.body()), nanos);
        } catch (IOException e) {
            return new Result(response.statusCode(), null, "http_" + response.statusCode(), response.body(), nanos);
        }
    }

    private static long backoffMillis(int attempt, String retryAfter) {
        if (retryAfter != null) {
            try {
                return Math.min(30_000, Long.parseLong(retryAfter.trim()) * 1000);
            } catch (NumberFormatException e) {
                // An HTTP-date Retry-After: fall back to exponential backoff.
            }
        }
        return Math.min(10_000, 250L << attempt);
    }

    private URI withQuery(Map<String, String> query) {
        if (query.isEmpty()) {
            return images;
        }
        StringJoiner q = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return URI.create(images + q.toString());
    }

    /** Nothing listens at the server URL. */
    static final class ServerUnreachableException extends RuntimeException {
        ServerUnreachableException(String message) {
            super(message);
        }
    }
}
