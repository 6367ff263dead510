package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
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
        for (int i = 0; i < 8; i++) {
            ids.add(upload(plans.generate(100 + i).png(), "image/png"));
        }
        BufferedImage pattern = pattern(64, 5);
        String original = upload(png(pattern), "image/png");
        ids.add(original);

        // Searchable: the neighbours of each upload are other uploads, never itself.
        awaitSearchable(original, ids.size() - 1);
        Response similar = given().queryParam("k", 5).get("/images/" + ids.get(0) + "/similar");
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

    static void awaitSearchable(String id, int neighbours) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            Response r = given().queryParam("k", neighbours).get("/images/" + id + "/similar");
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
