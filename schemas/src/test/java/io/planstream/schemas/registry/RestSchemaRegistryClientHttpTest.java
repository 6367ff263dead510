package io.planstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** What the REST client puts on the wire and how it reacts to answers, against tiny recording servers. */
class RestSchemaRegistryClientHttpTest {

    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}";
    private static final String SCHEMA_ANSWER = "{\"schema\":" + quote(SCHEMA) + "}";

    private final List<FakeRegistry> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(FakeRegistry::close);
    }

    @Test
    void shouldSendBasicAuthFromUserInfoAndTheConfluentMediaType() throws IOException {
        FakeRegistry server = start(200, "{\"id\":7}");
        SchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", server.url(),
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "planner:s3cr:et"));

        int id = client.register("auth-value", new Schema.Parser().parse(SCHEMA));

        assertThat(id).isEqualTo(7);
        Recorded request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/subjects/auth-value/versions");
        assertThat(request.authorization()).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("planner:s3cr:et".getBytes(StandardCharsets.UTF_8)));
        assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.body()).isEqualTo("{\"schema\":" + quote(SCHEMA) + "}");
    }

    @Test
    void shouldTakeBasicAuthFromTheUrlAndKeepItOutOfTheRequestLine() throws IOException {
        FakeRegistry server = start(200, SCHEMA_ANSWER);
        SchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", server.url().replace("http://", "http://ops:pw@") + "/"));

        client.getById(3);

        Recorded request = server.requests().get(0);
        assertThat(request.path()).isEqualTo("/schemas/ids/3");
        assertThat(request.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString("ops:pw".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldSendNoAuthorizationWithoutCredentials() throws IOException {
        FakeRegistry server = start(200, SCHEMA_ANSWER);

        RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url", server.url())).getById(3);

        assertThat(server.requests().get(0).authorization()).isNull();
    }

    @Test
    void shouldKeepAPathPrefixOfTheBaseUrl() throws IOException {
        FakeRegistry server = start(200, "[\"a-value\"]");

        List<String> subjects = RestSchemaRegistryClient.builder().setUrls(server.url() + "/apis/ccompat/v7/").build().subjects();

        assertThat(subjects).containsExactly("a-value");
        assertThat(server.requests().get(0).path()).isEqualTo("/apis/ccompat/v7/subjects");
    }

    @Test
    void shouldFailOverToTheNextUrlWhenOneRefusesConnectionsAndStayThere() throws IOException {
        String dead = "http://127.0.0.1:" + RestSchemaRegistryClientTest.closedPort();
        FakeRegistry alive = start(200, SCHEMA_ANSWER);
        FakeRegistry later = start(200, SCHEMA_ANSWER);
        SchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", dead + ", " + alive.url() + "," + later.url()));

        assertThat(client.getById(1)).isEqualTo(new Schema.Parser().parse(SCHEMA));
        client.getById(2);

        assertThat(alive.requests()).extracting(Recorded::path).containsExactly("/schemas/ids/1", "/schemas/ids/2");
        assertThat(later.requests()).isEmpty();
    }

    @Test
    void shouldFailOverWhenARegistryAcceptsButDoesNotAnswerInTime() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        FakeRegistry hung = start(200, SCHEMA_ANSWER, release);
        FakeRegistry alive = start(200, SCHEMA_ANSWER);
        SchemaRegistryClient client = RestSchemaRegistryClient.builder()
                .setUrls(hung.url() + "," + alive.url())
                .optRequestTimeout(Duration.ofMillis(300))
                .build();
        try {
            assertThat(client.getById(1)).isEqualTo(new Schema.Parser().parse(SCHEMA));
            assertThat(alive.requests()).hasSize(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldNotFailOverOnAnHttpErrorAndCarryTheConfluentErrorCode() throws IOException {
        FakeRegistry broken = start(500, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");
        FakeRegistry spare = start(200, SCHEMA_ANSWER);
        SchemaRegistryClient client = RestSchemaRegistryClient.builder().setUrls(broken.url() + "," + spare.url()).build();

        assertThatThrownBy(() -> client.getById(5))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessage("schema registry at " + broken.url() + " answered 500 (error_code 50001) to GET /schemas/ids/5:"
                        + " Error in the backend data store")
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(50001);
        assertThat(spare.requests()).isEmpty();
    }

    @Test
    void shouldQuoteANonJsonErrorBodyAndHintAtCredentialsOn401() throws IOException {
        FakeRegistry proxy = start(401, "<html>401 Authorization Required</html>");
        SchemaRegistryClient client = RestSchemaRegistryClient.builder().setUrls(proxy.url()).build();

        assertThatThrownBy(client::subjects)
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("answered 401 (error_code 401) to GET /subjects: <html>401 Authorization Required</html>")
                .hasMessageContaining("basic.auth.user.info");
    }

    @Test
    void shouldAskTheRegistryOnceForTheSchemaOfAnId() throws IOException {
        FakeRegistry server = start(200, SCHEMA_ANSWER);
        SchemaRegistryClient client = RestSchemaRegistryClient.builder().setUrls(server.url()).build();

        Schema first = client.getById(9);
        Schema second = client.getById(9);

        assertThat(second).isSameAs(first);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void shouldRefuseAnAnswerThatIsNotAnAvroSchema() throws IOException {
        FakeRegistry server = start(200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = 'proto3';\"}");
        SchemaRegistryClient client = RestSchemaRegistryClient.builder().setUrls(server.url()).build();

        assertThatThrownBy(() -> client.getById(4))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessage("schema id 4 is a PROTOBUF schema; this client handles Avro only");
    }

    @Test
    void shouldRefuseMissingOrBadSettingsNamingTheKey() {
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfig(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("schema.registry.url is required");
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url", "localhost:8081")))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", "http://r:8081", "basic.auth.credentials.source", "SASL_INHERIT")))
                .hasMessage("basic.auth.credentials.source must be USER_INFO or URL, got 'SASL_INHERIT'");
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", "http://r:8081", "basic.auth.credentials.source", "USER_INFO")))
                .hasMessage("basic.auth.user.info is required when basic.auth.credentials.source=USER_INFO");
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", "http://r:8081", "http.read.timeout.ms", "-5")))
                .hasMessage("http.read.timeout.ms must be a positive integer, got '-5'");
    }

    // ---- a recording registry ---------------------------------------------------------------

    record Recorded(String method, String path, String authorization, String contentType, String body) {
    }

    private FakeRegistry start(int status, String body) throws IOException {
        return start(status, body, null);
    }

    private FakeRegistry start(int status, String body, CountDownLatch holdUntil) throws IOException {
        FakeRegistry server = new FakeRegistry(status, body, holdUntil);
        servers.add(server);
        return server;
    }

    /** Answers every request with one fixed status and body, after holdUntil opens if given, and records it. */
    private static final class FakeRegistry implements AutoCloseable {
        private final HttpServer server;
        private final List<Recorded> requests = new CopyOnWriteArrayList<>();

        FakeRegistry(int status, String body, CountDownLatch holdUntil) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            server.createContext("/", exchange -> answer(exchange, status, body, holdUntil));
            server.start();
        }

        private void answer(HttpExchange exchange, int status, String body, CountDownLatch holdUntil) throws IOException {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                if (holdUntil != null && !holdUntil.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("test never released the held request");
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
                exchange.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        List<Recorded> requests() {
            return requests;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
