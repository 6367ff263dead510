package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * The operator's commands against a server: usage errors, an absent server, a refusal passed on with
 * the server's message, and an answer printed. The endpoints themselves are tested in {@code ModelApiTest}.
 */
class ModelCommandTest {

    @Test
    void shouldRefuseBadUsageAndSayWhenNoServerAnswers() {
        assertThat(CliRun.run("train").code()).isEqualTo(2);
        assertThat(CliRun.run("train").err()).contains("give --once");
        assertThat(CliRun.run("model", "activate", "0").err()).contains("VERSION must be >= 1");
        assertThat(CliRun.run("model", "activate", "two").code()).isEqualTo(2);
        CliRun absent = CliRun.run("model", "list", "--url", "http://127.0.0.1:9");
        assertThat(absent.code()).isEqualTo(1);
        assertThat(absent.err()).contains("no Planstream server answers at http://127.0.0.1:9");
    }

    @Test
    void shouldPrintTheAnswerAndPassOnARefusalWithTheServersMessage() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/models", exchange -> {
            boolean activate = exchange.getRequestURI().getPath().endsWith("/activate");
            byte[] body = (activate
                    ? "{\"status\":404,\"error\":\"unknown_model\",\"message\":\"model version 7 is not in the models topic (known: [1])\"}"
                    : "{\"active\":1,\"target\":1,\"versions\":[]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(activate ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertThat(new AdminClient(url).call("GET", "/models", Duration.ofSeconds(5), new PrintWriter(out), new PrintWriter(err))).isZero();
            assertThat(out.toString()).contains("\"target\" : 1");
            int refused = new AdminClient(url).call("POST", "/models/7/activate", Duration.ofSeconds(5), new PrintWriter(out), new PrintWriter(err));
            assertThat(refused).isEqualTo(1);
            assertThat(err.toString()).contains("POST /models/7/activate answered 404: model version 7 is not in the models topic (known: [1])");
        } finally {
            server.stop(0);
        }
    }
}
