package io.planstream.app.cli;

import java.net.http.HttpRequest;

import picocli.CommandLine.Option;

/**
 * The server a command talks to and the API key it sends. The environment variable keeps the key
 * out of the process list and the shell history; the option is there for scripts. What the server
 * is for differs per command, so {@code --url}'s description comes from {@code Options.properties}.
 */
final class ServerOptions {

    static final String ENV = "PLANSTREAM_API_KEY";

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", descriptionKey = "url",
            description = "Server (default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:" + ENV + "}",
            description = "API key for a server with access control on (default: $" + ENV + ").")
    String key;

    AdminClient admin() {
        return new AdminClient(url, key);
    }

    /** Adds the key's header to a request, when there is a key. */
    static HttpRequest.Builder authorize(HttpRequest.Builder request, String key) {
        return key == null || key.isBlank() ? request : request.header("X-API-Key", key.trim());
    }
}
