package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.platform.http.ApiError;
import io.planstream.platform.testing.Await;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Upload to searchable through the running application (ingest, embedder and index roles on one broker),
 * and the query API's answers and refusals.
 */
@QuarkusTest
@TestProfile(SearchApiTest.WholePipeline.class)
class SearchApiTest {

    /**
     * Every role but the trainer, with a short commit interval so uploads become searchable quickly, on a data
     * directory of its own: the broker of a test is temporary, and an index left in the default directory by
     * an earlier run would hold offsets of another broker's topic (and skip this one's records up to them).
     */
    public static class WholePipeline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("planstream.roles", "ingest,embedder,index", "planstream.embedder.batch-size", "8",
                    "planstream.index.catch-up-lag", "0",
                    "planstream.data-dir", java.nio.file.Path.of("target", "whole-pipeline-" + System.nanoTime()).toAbsolutePath().toString());
        }
    }

    @Test
    void shouldFindAnUploadAndItsRotatedCopyAndRefuseBadQueries() throws Exception {
        List<String> ids = new ArrayList<>();
        FloorPlanGenerator plans = new FloorPlanGenerator();
        // Tagged, so that the neighbours below are among this test's uploads whatever the other tests uploaded.
        for (int i = 0; i < 8; i++) {
            ids.add(given().contentType("image/png").body(plans.generate(100 + i).png()).queryParam("meta.batch", "first").post("/images")
                    .then().statusCode(202).extract().path("id"));
        }
        BufferedImage pattern = pattern(64, 5);
        String original = given().contentType("image/png").body(png(pattern)).queryParam("meta.batch", "first").post("/images")
                .then().statusCode(202).extract().path("id");
        ids.add(original);

        // Searchable: the neighbours of each upload are other uploads, never itself.
        awaitSearchable(original, ids.size() - 1, "batch:first");
        Response similar = given().queryParam("k", 5).queryParam("filter", "batch:first").get("/images/" + ids.get(0) + "/similar");
        similar.then().statusCode(200).body("modelVersion", equalTo(0)).body("k", equalTo(5)).body("hits.size()", equalTo(5));
        List<String> hitIds = similar.path("hits.id");
        assertThat(hitIds).doesNotContain(ids.get(0)).isSubsetOf(ids);
        List<Float> scores = similar.path("hits.score");
        assertThat(scores).isSortedAccordingTo((a, b) -> Float.compare(b, a)).allSatisfy(s -> assertThat(s).isBetween(-1f, 1f));
        Map<String, String> meta = similar.path("hits[0].metadata");
        assertThat(similar.<String>path("hits[0].thumbnail")).isEqualTo("/images/" + hitIds.get(0) + "/thumbnail");
        assertThat(meta).isNotNull();

        // A plan turned by 90 degrees and mirrored is the same layout: it finds the original first.
        Response rotated = given().contentType("image/png").body(png(mirror(rotate90(pattern)))).queryParam("k", 3).post("/search");
        rotated.then().statusCode(200).body("hits[0].id", equalTo(original));
        assertThat(rotated.<Float>path("hits[0].score")).isGreaterThan(0.99f);

        // The vector route answers with the same version; the image reports where it is.
        given().get("/images/" + original).then().statusCode(200).body("status", equalTo("indexed"))
                .body("versions[0].version", equalTo(0)).body("versions[0].indexed", equalTo(true));
        byte[] thumb = given().get("/images/" + original + "/thumbnail").then().statusCode(200).contentType("image/png")
                .extract().asByteArray();
        assertThat(ImageIO.read(new java.io.ByteArrayInputStream(thumb)).getWidth()).isEqualTo(64);
        given().get("/models").then().statusCode(200).body("active", equalTo(0))
                .body("versions[0].version", equalTo(0)).body("versions[0].state", equalTo("active"))
                .body("versions[0].documents", greaterThanOrEqualTo(ids.size()));

        // Refusals, each naming the field.
        given().queryParam("k", 20).queryParam("numCandidates", 10).get("/images/" + original + "/similar").then().statusCode(400)
                .body("error", equalTo("invalid_query")).body("message", containsString("numCandidates"));
        given().queryParam("k", "ten").get("/images/" + original + "/similar").then().statusCode(400).body("message", containsString("k must be an integer"));
        given().queryParam("k", 0).get("/images/" + original + "/similar").then().statusCode(400).body("message", containsString("k must be"));
        given().queryParam("numCandidates", 10_001).get("/images/" + original + "/similar").then().statusCode(400)
                .body("message", containsString("10000"));
        given().get("/images/no-such-plan/similar").then().statusCode(404).body("error", equalTo("not_found"));
        given().get("/images/no-such-plan/thumbnail").then().statusCode(404);
        given().contentType("application/json").body("[1, 2, 3]").post("/search/vector").then().statusCode(400)
                .body("message", containsString("3 dimensions"));
        given().contentType("application/json").body("{\"vector\": [1, \"x\"]}").post("/search/vector").then().statusCode(400)
                .body("message", containsString("vector[1]"));
        given().contentType("application/json").body("{\"vektor\": [1]}").post("/search/vector").then().statusCode(400)
                .body("message", containsString("'vektor'"));
        given().contentType("application/json").body("[1, ").post("/search/vector").then().statusCode(400)
                .body("error", equalTo("invalid_vector"));
        given().contentType("image/png").body(new byte[] {1, 2, 3}).post("/search").then().statusCode(400).body("message", containsString("bytes"));
    }

    /**
     * {@code GET /images/{id}?waitFor=searchable} answers once the upload can be found (no polling), with
     * the timeline of its way through the pipeline; a timeout says so; bad parameters are refused.
     */
    @Test
    void shouldAnswerAWaitForSearchableOnceTheUploadCanBeFoundWithItsTimeline() throws Exception {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        // Warm: the encoder has run once, so the wait below measures the pipeline, not the first forward pass.
        given().queryParam("waitFor", "searchable").queryParam("timeout", "60s").get("/images/" + upload(plans.generate(300).png(), "image/png"))
                .then().statusCode(200).body("status", equalTo("indexed"));
        for (int i = 0; i < 3; i++) {
            long sent = System.currentTimeMillis();
            String id = upload(plans.generate(301 + i).png(), "image/png");
            Response waited = given().queryParam("waitFor", "searchable").queryParam("timeout", "30s").get("/images/" + id);
            long answered = System.currentTimeMillis();
            waited.then().statusCode(200).body("status", equalTo("indexed")).body("waited.waitFor", equalTo("searchable"))
                    .body("waited.timedOut", equalTo(false));
            // Searchable the moment the answer came: the neighbours route finds it without waiting.
            given().queryParam("k", 1).get("/images/" + id + "/similar").then().statusCode(200);
            Map<String, String> timeline = waited.path("versions.find { it.active }.timeline");
            long accepted = java.time.Instant.parse(timeline.get("accepted")).toEpochMilli();
            long embedded = java.time.Instant.parse(timeline.get("embedded")).toEpochMilli();
            long indexed = java.time.Instant.parse(timeline.get("indexed")).toEpochMilli();
            long searchable = java.time.Instant.parse(timeline.get("searchable")).toEpochMilli();
            assertThat(List.of(sent, accepted, embedded, indexed, searchable, answered)).as("stages in order: %s", timeline)
                    .isSorted();
            assertThat(waited.<Integer>path("waited.waitedMs")).isBetween(0, (int) (answered - sent));
        }

        // A wait that ends at its timeout says so (the status then says accepted); one that does not, does not.
        String fresh = upload(plans.generate(310).png(), "image/png");
        Response quick = given().queryParam("waitFor", "searchable").queryParam("timeout", "0ms").get("/images/" + fresh);
        quick.then().statusCode(200);
        assertThat(quick.<Boolean>path("waited.timedOut")).isEqualTo(!"indexed".equals(quick.path("status")));
        given().get("/images/" + fresh).then().statusCode(200).body("waited", org.hamcrest.Matchers.nullValue());

        // Refusals, each naming what was wrong.
        given().queryParam("waitFor", "embedded").get("/images/" + fresh).then().statusCode(400).body("message", containsString("waitFor"));
        given().queryParam("waitFor", "searchable").queryParam("timeout", "61s").get("/images/" + fresh).then().statusCode(400)
                .body("message", containsString("60s"));
        given().queryParam("waitFor", "searchable").queryParam("timeout", "soon").get("/images/" + fresh).then().statusCode(400)
                .body("message", containsString("'soon'"));
        given().queryParam("timeout", "5s").get("/images/" + fresh).then().statusCode(400).body("message", containsString("waitFor"));
        given().queryParam("waitFor", "searchable").get("/images/no-such-plan").then().statusCode(404);
    }

    /**
     * Read-your-writes and the cluster's version over HTTP: an upload's token, waited for by a search and by the
     * image's status, finds the upload at once; a minimum version this replica does not hold is a 503 the client can
     * take elsewhere; the status and the readiness probe show the replica serving the cluster's version.
     */
    @Test
    void shouldReadItsOwnWritesWithATokenAndNeverAnswerBelowAMinimumVersion() {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        byte[] png = plans.generate(320).png();
        Response accepted = given().contentType("image/png").body(png).post("/images");
        accepted.then().statusCode(202).body("token", org.hamcrest.Matchers.matchesPattern("\\d+:\\d+"));
        String id = accepted.path("id");
        String token = accepted.path("token");

        Response found = given().contentType("image/png").body(png).queryParam("k", 1).queryParam("after", token).queryParam("timeout", "30s")
                .post("/search");
        found.then().statusCode(200).body("after.token", equalTo(token)).body("after.timedOut", equalTo(false))
                .body("hits[0].id", equalTo(id)).body("hits[0].score", greaterThan(0.99f));
        int version = found.path("modelVersion");
        given().queryParam("after", token).queryParam("timeout", "1s").get("/images/" + id).then().statusCode(200)
                .body("status", equalTo("indexed")).body("waited.waitFor", equalTo("after " + token)).body("waited.timedOut", equalTo(false));
        given().queryParam("k", 1).get("/images/" + id + "/similar").then().statusCode(200).body("after", org.hamcrest.Matchers.nullValue());

        given().queryParam("k", 1).queryParam("minVersion", version).get("/images/" + id + "/similar").then().statusCode(200)
                .body("modelVersion", equalTo(version));
        given().queryParam("minVersion", version + 1).get("/images/" + id + "/vector").then().statusCode(503)
                .header("Retry-After", "1").body("error", equalTo("version_not_ready")).body("message", containsString("version " + (version + 1)));

        given().queryParam("after", "7").get("/images/" + id + "/similar").then().statusCode(400).body("message", containsString("partition:offset"));
        given().queryParam("timeout", "1s").get("/images/" + id + "/similar").then().statusCode(400).body("message", containsString("after"));
        given().queryParam("after", token).queryParam("waitFor", "searchable").get("/images/" + id).then().statusCode(400)
                .body("message", containsString("one of them"));
        given().queryParam("minVersion", "newest").get("/images/" + id + "/similar").then().statusCode(400).body("message", containsString("minVersion"));

        given().get("/status").then().statusCode(200).body("index.cluster.servingVersion", equalTo(version))
                .body("index.cluster.ready", equalTo(true)).body("index.cluster.replicas", org.hamcrest.Matchers.hasSize(1))
                .body("index.cluster.replicas[0].live", equalTo(true)).body("index.cluster.replicas[0].served", equalTo(version));
        given().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'index' }.status", equalTo("UP"));
    }

    /**
     * Filters, pages, minScore, the stored vector and the vector search, the listing and deletes, over HTTP. The
     * plans are generated RPLAN files (room counts in their metadata) tagged {@code batch=features}, which scopes
     * every filter of this test to its own uploads.
     */
    @Test
    void shouldFilterPageListDeleteAndSearchByStoredVector() throws Exception {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        Map<String, Integer> bedrooms = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 24; i++) {
            var plan = plans.generate(500 + i);
            String id = "feat-" + i;
            given().contentType("image/png").body(plan.png()).queryParam("id", id).queryParam("meta.batch", "features")
                    .post("/images").then().statusCode(202);
            bedrooms.put(id, plan.bedrooms());
        }
        List<String> ids = new ArrayList<>(bedrooms.keySet());
        String last = ids.get(ids.size() - 1);
        awaitSearchable(last, 5);
        awaitIndexed(ids);

        // A filter is applied inside the graph search: k hits whenever k plans match, all of them matching.
        String query = ids.get(0);
        int common = bedrooms.values().stream().collect(java.util.stream.Collectors.groupingBy(b -> b,
                java.util.stream.Collectors.counting())).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<String> matching = ids.stream().filter(id -> bedrooms.get(id) == common && !id.equals(query)).toList();
        Response filtered = given().queryParam("k", matching.size()).queryParam("filter", "batch:features")
                .queryParam("filter", "rooms.bedroom:" + common).get("/images/" + query + "/similar");
        filtered.then().statusCode(200).body("hits.size()", equalTo(matching.size()));
        assertThat(filtered.<List<String>>path("hits.id")).containsExactlyInAnyOrderElementsOf(matching);
        assertThat(filtered.<List<String>>path("hits.metadata.'rooms.bedroom'")).containsOnly(Integer.toString(common));
        Response range = given().queryParam("k", 50).queryParam("filter", "batch:features")
                .queryParam("filter", "rooms.bedroom:[" + common + " TO *]").queryParam("filter", "format:rplan")
                .get("/images/" + query + "/similar");
        range.then().statusCode(200);
        assertThat(range.<List<String>>path("hits.id")).containsExactlyInAnyOrderElementsOf(
                ids.stream().filter(id -> bedrooms.get(id) >= common && !id.equals(query)).toList());
        given().queryParam("filter", "rooms.garage:1").get("/images/" + query + "/similar").then().statusCode(400)
                .body("error", equalTo("invalid_filter")).body("message", containsString("unknown field 'rooms.garage'"));
        given().queryParam("filter", "rooms.total").get("/images/" + query + "/similar").then().statusCode(400)
                .body("error", equalTo("invalid_filter")).body("message", containsString("'rooms.total'"));
        given().queryParam("filter", "uploaded:[2026-12-01T00:00:00Z TO *]").queryParam("filter", "batch:features")
                .queryParam("k", 5).get("/images/" + query + "/similar").then().statusCode(200).body("hits.size()", equalTo(5));

        // Pages are slices of one ranked list; minScore drops what scores lower.
        Response first20 = given().queryParam("k", 20).queryParam("numCandidates", 100).queryParam("filter", "batch:features")
                .get("/images/" + query + "/similar");
        List<String> page1 = given().queryParam("k", 10).queryParam("numCandidates", 100).queryParam("filter", "batch:features")
                .get("/images/" + query + "/similar").then().statusCode(200).extract().path("hits.id");
        Response second = given().queryParam("k", 10).queryParam("from", 10).queryParam("numCandidates", 100)
                .queryParam("filter", "batch:features").get("/images/" + query + "/similar");
        second.then().statusCode(200).body("from", equalTo(10));
        List<String> both = new ArrayList<>(page1);
        both.addAll(second.path("hits.id"));
        assertThat(both).isEqualTo(first20.path("hits.id"));
        given().queryParam("k", 10).queryParam("from", 9991).get("/images/" + query + "/similar").then().statusCode(400)
                .body("message", containsString("from + k at most 10000"));
        float cut = first20.<Float>path("hits[5].score");
        List<Float> above = given().queryParam("k", 20).queryParam("minScore", cut).queryParam("filter", "batch:features")
                .get("/images/" + query + "/similar").then().statusCode(200).extract().path("hits.score");
        assertThat(above).hasSizeGreaterThanOrEqualTo(6).allSatisfy(x -> assertThat(x).isGreaterThanOrEqualTo(cut));
        given().queryParam("minScore", "high").get("/images/" + query + "/similar").then().statusCode(400)
                .body("message", containsString("minScore must be a number"));

        // The stored vector, and the vector search's success path: the plan finds itself first.
        Response stored = given().get("/images/" + query + "/vector");
        stored.then().statusCode(200).body("id", equalTo(query)).body("modelVersion", equalTo(0));
        List<Float> vector = stored.path("vector");
        assertThat(vector.stream().mapToDouble(x -> x * x).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        Response byVector = given().contentType("application/json").body(Map.of("vector", vector)).queryParam("k", 3)
                .queryParam("version", 0).queryParam("filter", "batch:features").post("/search/vector");
        byVector.then().statusCode(200).body("modelVersion", equalTo(0)).body("hits[0].id", equalTo(query));
        assertThat(byVector.<Float>path("hits[0].score")).isGreaterThan(0.999f);
        given().contentType("application/json").body(vector).queryParam("version", 99).post("/search/vector").then()
                .statusCode(409).body("error", equalTo("version_not_served")).body("message", containsString("version 99"));
        given().get("/images/" + query + "/vector?version=99").then().statusCode(409);
        given().get("/images/no-such-plan/vector").then().statusCode(404);

        // The listing: upload order, pages joined by their cursors, the same filters.
        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            var spec = given().queryParam("limit", 7).queryParam("filter", "batch:features");
            if (cursor != null) {
                spec = spec.queryParam("cursor", cursor);
            }
            Response page = spec.get("/images");
            page.then().statusCode(200).body("images.indexed", org.hamcrest.Matchers.everyItem(equalTo(true)));
            listed.addAll(page.path("images.id"));
            cursor = page.path("nextCursor");
        } while (cursor != null);
        assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);
        List<String> uploaded = given().queryParam("limit", 100).queryParam("filter", "batch:features").get("/images")
                .then().extract().path("images.uploaded");
        // Fixed-width times (milliseconds always written), so that they sort as strings and as instants alike.
        assertThat(uploaded).isSorted().allSatisfy(t -> assertThat(t).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        given().queryParam("cursor", "garbage").get("/images").then().statusCode(400);
        given().queryParam("limit", 5000).get("/images").then().statusCode(400).body("message", containsString("limit"));

        // A delete: gone from this process at once, then from the index, the listing and the thumbnails.
        String gone = ids.get(3);
        given().delete("/images/" + gone).then().statusCode(200).body("deleted", equalTo(true));
        given().get("/images/" + gone).then().statusCode(404);
        given().delete("/images/" + gone).then().statusCode(404);
        given().delete("/images/never-uploaded").then().statusCode(404);
        awaitStatus("/images/" + gone + "/vector", 404);
        awaitStatus("/images/" + gone + "/thumbnail", 404);
        awaitTrue("the listing lacks " + gone, () -> !given().queryParam("limit", 100).queryParam("filter", "batch:features")
                .get("/images").<List<String>>path("images.id").contains(gone));
        assertThat(given().queryParam("limit", 100).queryParam("filter", "batch:features").get("/images")
                .<List<String>>path("images.id")).hasSize(ids.size() - 1);
        assertThat(given().queryParam("k", 30).queryParam("filter", "batch:features").get("/images/" + query + "/similar")
                .<List<String>>path("hits.id")).doesNotContain(gone);
    }

    /** The contract at /q/openapi describes every route with its parameters and error bodies; Swagger UI is served. */
    @Test
    void shouldPublishTheApiContractAndItsViewer() {
        Response api = given().queryParam("format", "json").get("/q/openapi");
        api.then().statusCode(200);
        Map<String, Object> paths = api.path("paths");
        assertThat(paths).containsKeys("/images", "/images/{id}", "/images/{id}/similar", "/images/{id}/vector", "/search",
                "/search/vector", "/models", "/status");
        List<String> similarParams = api.path("paths.'/images/{id}/similar'.get.parameters.name");
        assertThat(similarParams).contains("k", "numCandidates", "from", "filter", "minScore", "version");
        assertThat(api.<String>path("paths.'/images/{id}/similar'.get.parameters.find { it.name == 'filter' }.description"))
                .contains("rooms.total:[3 TO 5]");
        assertThat(api.<Map<String, Object>>path("paths.'/images/{id}'")).containsKeys("get", "delete");
        assertThat(api.<Map<String, Object>>path("paths.'/search/vector'.post.responses")).containsKeys("200", "400", "409", "503");
        assertThat(api.<String>path("paths.'/search/vector'.post.responses.'409'.content.'application/json'.schema.'$ref'"))
                .endsWith("/ApiError");
        assertThat(api.<Map<String, Object>>path("components.schemas.ApiError.properties")).containsKeys("status", "error", "message");
        given().get("/q/swagger-ui/").then().statusCode(200).contentType(containsString("html"));
    }

    /** Uploads and deletes of one id racing each other end in one state everywhere: the last record's. */
    @Test
    void shouldAgreeEverywhereWhenADeleteRacesAnUploadOfTheSameId() throws Exception {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        byte[] png = plans.generate(900).png();
        String id = "race-1";
        given().contentType("image/png").body(png).queryParam("id", id).post("/images").then().statusCode(202);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 6; round++) {
                var up = pool.submit(() -> given().contentType("image/png").body(png).queryParam("id", id).post("/images").statusCode());
                var del = pool.submit(() -> given().delete("/images/" + id).statusCode());
                assertThat(up.get()).isEqualTo(202);
                assertThat(del.get()).isIn(200, 404);
            }
        } finally {
            pool.shutdownNow();
        }
        // whatever the order, the ingest's answer, the index and the listing settle on the same state
        int status = given().get("/images/" + id).statusCode();
        assertThat(status).isIn(200, 404);
        awaitStatus("/images/" + id + "/vector", status);
        awaitTrue("the listing " + (status == 200 ? "holds " : "lacks ") + id,
                () -> given().queryParam("limit", 1000).get("/images").<List<String>>path("images.id").contains(id) == (status == 200));
        given().get("/images/" + id).then().statusCode(status);
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), condition);
    }

    private static void awaitIndexed(List<String> ids) throws InterruptedException {
        for (String id : ids) {
            awaitStatus("/images/" + id + "/vector", 200);
        }
    }

    /** Waits until {@code path} answers {@code status}, a bounded time. */
    private static void awaitStatus(String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int last;
        while ((last = given().get(path).statusCode()) != status) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " answers " + last + ", expected " + status);
            }
            Thread.sleep(100);
        }
    }

    static void awaitSearchable(String id, int neighbours) throws InterruptedException {
        awaitSearchable(id, neighbours, null);
    }

    /** Until the image finds {@code neighbours} others (those matching {@code filter}, where it is not null). */
    static void awaitSearchable(String id, int neighbours, String filter) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            var request = given().queryParam("k", neighbours);
            if (filter != null) {
                request = request.queryParam("filter", filter);
            }
            Response r = request.get("/images/" + id + "/similar");
            if (r.statusCode() == 200 && r.<List<?>>path("hits").size() == neighbours) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not searchable in time: " + r.statusCode() + " " + r.asString());
            }
            Thread.sleep(200);
        }
    }

    private static String upload(byte[] bytes, String type) {
        return given().contentType(type).body(bytes).post("/images").then().statusCode(202).extract().path("id");
    }

    /** A picture with no symmetry of its own: several random coloured rectangles. */
    private static BufferedImage pattern(int size, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size, size);
        for (int i = 0; i < 6; i++) {
            g.setColor(new Color(r.nextInt(0xFFFFFF)));
            g.fillRect(r.nextInt(size / 2), r.nextInt(size / 2), 4 + r.nextInt(size / 2), 4 + r.nextInt(size / 3));
        }
        g.dispose();
        return img;
    }

    private static BufferedImage rotate90(BufferedImage src) {
        int n = src.getWidth();
        BufferedImage out = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                out.setRGB(n - 1 - y, x, src.getRGB(x, y));
            }
        }
        return out;
    }

    private static BufferedImage mirror(BufferedImage src) {
        int n = src.getWidth();
        BufferedImage out = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                out.setRGB(n - 1 - x, y, src.getRGB(x, y));
            }
        }
        return out;
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
