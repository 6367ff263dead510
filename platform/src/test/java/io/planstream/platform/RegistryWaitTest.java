package io.planstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import io.planstream.schemas.registry.EmbeddedSchemaRegistry;

/** A role that starts while the registry's process restarts waits for it, up to the start-up timeout. */
class RegistryWaitTest {

    @Test
    void waitsForARegistryThatStartsListeningLater() throws Exception {
        int port = freePort();
        long start = System.nanoTime();
        CompletableFuture<HttpServer> later = CompletableFuture.supplyAsync(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(1500);
                return serve(port, 200, "[]");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            KafkaPlatform.awaitRegistry(config(port), Duration.ofSeconds(20));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("returned only once the registry listened")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        } finally {
            later.get(10, TimeUnit.SECONDS).stop(0);
        }
    }

    @Test
    void anAnswerBelow500MeansUpEvenARefusal() throws Exception {
        HttpServer server = serve(0, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        try {
            long start = System.nanoTime();
            KafkaPlatform.awaitRegistry(config(server.getAddress().getPort()), Duration.ofSeconds(20));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void givesUpAfterTheTimeoutNamingTheRegistryAndTheSetting() throws Exception {
        int silent = freePort();
        assertThatThrownBy(() -> KafkaPlatform.awaitRegistry(config(silent), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("http://127.0.0.1:" + silent)
                .hasMessageContaining("did not answer within 2 s")
                .hasMessageContaining("planstream.topics.startup-timeout")
                .hasMessageContaining("ConnectException");
        HttpServer failing = serve(0, 503, "{\"error_code\":50301,\"message\":\"starting\"}");
        try {
            assertThatThrownBy(() -> KafkaPlatform.awaitRegistry(config(failing.getAddress().getPort()), Duration.ofSeconds(2)))
                    .as("a registry answering 5xx is not ready either")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("did not answer within 2 s");
        } finally {
            failing.stop(0);
        }
    }

    private static Map<String, Object> config(int port) {
        return Map.of(EmbeddedSchemaRegistry.URL_CONFIG, "http://127.0.0.1:" + port, "http.connect.timeout.ms", "500");
    }

    private static HttpServer serve(int port, int status, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
