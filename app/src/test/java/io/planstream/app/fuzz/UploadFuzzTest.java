package io.planstream.app.fuzz;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.planstream.app.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The upload path over HTTP, against the real server and broker: 500 mutated files and the hostile
 * specimens. Every answer is 202 or a 4xx with a JSON reason, never a 5xx, the refusals keep their
 * several reasons, none takes seconds, and the server's heap is no larger afterwards than the limits
 * allow. Oversized request lines, headers and parameter lists are refused too.
 */
@QuarkusTest
class UploadFuzzTest {

    /**
     * The validator itself meets 10,000 mutants in process ({@link ValidatorFuzzTest}, same mutator); over
     * HTTP, a case at about 20 ms, what is checked is the answer each outcome becomes, and 500 cases reach
     * every kind of refusal that 2,000 did (nine).
     */
    static final int CASES = Integer.getInteger("planstream.fuzz.http-cases", 500);

    private static RequestSpecification request() {
        return given().config(RestAssured.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 30_000).setParam("http.connection.timeout", 5_000)));
    }

    @Test
    void everyAnswerIs202OrA4xxWithAReason() throws IOException {
        UploadMutator mutator = UploadMutator.create(ValidatorFuzzTest.SEED + 1, TestImages.sharedData(), 6);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        Map<String, Integer> outcomes = new TreeMap<>();
        long slowest = 0;
        for (UploadMutator.Case c : UploadMutator.specimens()) {
            slowest = Math.max(slowest, send(c, outcomes));
        }
        for (int i = 0; i < CASES; i++) {
            slowest = Math.max(slowest, send(mutator.next(), outcomes));
        }
        System.gc();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        System.out.printf("upload fuzz over HTTP: %d cases + specimens, outcomes %s, slowest %d ms, heap %d -> %d MB%n", CASES, outcomes,
                slowest, heapBefore >> 20, heapAfter >> 20);
        assertThat(outcomes).containsKey("202");
        assertThat(outcomes.keySet()).allMatch(k -> k.startsWith("202") || k.startsWith("4"));
        // Each refusal answers with its own reason, not one catch-all 400.
        assertThat(outcomes.keySet().stream().filter(k -> k.startsWith("4")).count()).as("kinds of refusal in %s", outcomes)
                .isGreaterThanOrEqualTo(8);
        assertThat(slowest).isLessThan(10_000);
        assertThat(heapAfter - heapBefore).as("heap growth over the run").isLessThan(256L << 20);
    }

    /** Sends one case; returns its time in ms. A 5xx or an answer without a reason fails with the case saved. */
    private static long send(UploadMutator.Case c, Map<String, Integer> outcomes) throws IOException {
        RequestSpecification r = request().body(c.bytes());
        r = c.contentType() == null ? r.contentType("application/octet-stream") : r.contentType(c.contentType().isEmpty() ? "image/png" : c.contentType());
        if (c.format() != null) {
            r = r.queryParam("format", c.format());
        }
        long start = System.nanoTime();
        Response res = r.when().post("/images");
        long millis = (System.nanoTime() - start) / 1_000_000;
        int status = res.statusCode();
        String key = status == 202 ? "202" : status + " " + res.jsonPath().getString("error");
        if (status != 202 && (status < 400 || status > 499 || res.jsonPath().getString("message") == null)) {
            Path saved = Files.createDirectories(Path.of("target", "fuzz-failures")).resolve("http-" + c.number() + ".bin");
            Files.write(saved, c.bytes());
            throw new AssertionError(c + " answered " + status + ": " + res.asString() + " (bytes saved to " + saved + ")");
        }
        outcomes.merge(key, 1, Integer::sum);
        return millis;
    }

    @Test
    void oversizedRequestLinesHeadersAndParameterListsAreRefused() {
        byte[] png = TestImages.drawing(32, 32, 5, "png");
        // A request line over 8 KiB: 414 before any handler runs.
        assertThat(request().queryParam("meta.note", "x".repeat(10_000)).contentType("image/png").body(png).when().post("/images")
                .statusCode()).isEqualTo(414);
        // Headers over 16 KiB: 431.
        assertThat(request().header("X-Padding", "y".repeat(20_000)).contentType("image/png").body(png).when().post("/images")
                .statusCode()).isEqualTo(431);
        // Many metadata fields within the line limit: the ingest's own field limit, with its reason.
        RequestSpecification many = request().contentType("image/png").body(png);
        for (int i = 0; i < 200; i++) {
            many = many.queryParam("meta.k" + i, "v");
        }
        Response r = many.when().post("/images");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.jsonPath().getString("message")).contains("metadata has 200 fields");
        // Bad numbers in query parameters: 400 with the parameter named, not a 500.
        Response k = request().when().get("/images/" + "c".repeat(64) + "/similar?k=99999999999999999999");
        assertThat(k.statusCode()).isBetween(400, 499);
    }

    @Test
    void idsCannotReachOutsideTheirStorage() {
        // Encoded so that they reach the resources as ids: dot segments, even percent-encoded ones, are
        // resolved by the HTTP server before routing (RFC 3986), so "/images/%2e%2e" is "/" and never an id.
        for (String id : new String[] {"..%2F..%2Fetc%2Fpasswd", "...", "x%00y", "a%5C..%5Cb", "%2Fetc%2Fpasswd", "~root", "a%2F..%2F..%2Fb"}) {
            for (String path : new String[] {"/images/" + id, "/images/" + id + "/thumbnail", "/images/" + id + "/similar"}) {
                Response r = request().urlEncodingEnabled(false).when().get(path);
                assertThat(r.statusCode()).as("GET %s: %s", path, r.asString()).isIn(400, 404);
                assertThat(r.asString()).as("GET %s", path).doesNotContain("root:");
            }
        }
        Response upload = request().queryParam("id", "../../escape").contentType("image/png").body(TestImages.drawing(8, 8, 2, "png"))
                .when().post("/images");
        assertThat(upload.statusCode()).isEqualTo(400);
        assertThat(upload.jsonPath().getString("message")).contains("id");
    }
}
