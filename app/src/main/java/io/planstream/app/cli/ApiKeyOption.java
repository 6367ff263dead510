package io.planstream.app.cli;

import java.net.http.HttpRequest;

import picocli.CommandLine.Option;

/**
 * The API key a command sends to a server with access control on. The environment variable keeps
 * the key out of the process list and the shell history; the option is there for scripts.
 */
final class ApiKeyOption {

    static final String ENV = "PLANSTREAM_API_KEY";

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:" + ENV + "}",
            description = "API key for a server with access control on (default: $" + ENV + ").")
    String key;

    /** Adds the key's header to a request, when there is a key. */
    static HttpRequest.Builder authorize(HttpRequest.Builder request, String key) {
        return key == null || key.isBlank() ? request : request.header("X-API-Key", key.trim());
    }
}
