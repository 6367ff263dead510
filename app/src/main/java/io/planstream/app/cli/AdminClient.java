package io.planstream.app.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Calls one admin endpoint of a running server and prints its JSON answer, or why it failed. */
final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String url;
    private final HttpClient client;
    private final String apiKey;

    AdminClient(String url) {
        this(url, null);
    }

    /** @param apiKey sent as {@code X-API-Key}; null for a server without access control */
    AdminClient(String url, String apiKey) {
        this.apiKey = apiKey;
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * @param method GET or POST (with an empty body)
     * @param timeout how long the answer may take (a training round takes minutes)
     * @return the exit code: 0 for a 2xx answer, 1 otherwise
     */
    int call(String method, String path, Duration timeout, PrintWriter out, PrintWriter err) {
        try {
            return send(method, path, timeout, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int send(String method, String path, Duration timeout, PrintWriter out, PrintWriter err) {
        HttpRequest request = ServerOptions.authorize(HttpRequest.newBuilder(URI.create(url + path)), apiKey).timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Accept", "application/json").build();
        return send(request, method, path, out, err);
    }

    /**
     * Posts {@code file} as the body.
     *
     * @return the exit code: 0 for a 2xx answer, 1 otherwise (with the server's message)
     */
    int post(String path, Path file, String contentType, Duration timeout, PrintWriter out, PrintWriter err) {
        try {
            return sendFile(path, file, contentType, timeout, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int sendFile(String path, Path file, String contentType, Duration timeout, PrintWriter out, PrintWriter err) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            err.println("cannot read " + file + ": " + e.getMessage());
            return PlanstreamCommand.EXIT_FAILED;
        }
        // Expect: 100-continue: a body the server refuses from its headers alone (too large) is never sent.
        HttpRequest request = ServerOptions.authorize(HttpRequest.newBuilder(URI.create(url + path)), apiKey).timeout(timeout)
                .POST(body).expectContinue(true)
                .header("Content-Type", contentType).header("Accept", "application/json").build();
        return send(request, "POST", path, out, err);
    }

    private int send(HttpRequest request, String method, String path, PrintWriter out, PrintWriter err) {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            err.println("no Planstream server answers at " + url + ": start one with ./planstream serve, or pass --url");
            return PlanstreamCommand.EXIT_FAILED;
        } catch (IOException e) {
            err.println(method + " " + url + path + " failed: " + e);
            return PlanstreamCommand.EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return PlanstreamCommand.EXIT_FAILED;
        }
        String body = response.body();
        if (response.statusCode() / 100 != 2) {
            String message = body;
            try {
                JsonNode node = JSON.readTree(body);
                if (node.hasNonNull("message")) {
                    message = node.get("message").asText();
                }
            } catch (IOException e) {
                // not JSON: printed as it came
            }
            err.println(method + " " + path + " answered " + response.statusCode() + ": " + message);
            return PlanstreamCommand.EXIT_FAILED;
        }
        try {
            out.println(JSON.writeValueAsString(JSON.readTree(body)));
        } catch (IOException e) {
            out.println(body);
        }
        return PlanstreamCommand.EXIT_OK;
    }
}
