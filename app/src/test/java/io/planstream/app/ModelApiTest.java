package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.planstream.ingest.generate.FloorPlanGenerator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The trainer and the model versions through the running application: an operator's round trains and
 * publishes version 1 through the artifacts topic, the index answers from it, a pin and an unpin are
 * answered with the target they leave, and refusals name what was wrong.
 */
@QuarkusTest
@TestProfile(ModelApiTest.WithTrainer.class)
class ModelApiTest {

    private static final int PLANS = 20;

    /** Every role; rounds only when asked; a small first encoder and one short epoch. */
    public static class WithTrainer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.ofEntries(Map.entry("planstream.roles", "ingest,embedder,index,trainer"),
                        Map.entry("planstream.data-dir", Files.createTempDirectory("planstream-model-api").toString()),
                        Map.entry("planstream.embedder.batch-size", "8"), Map.entry("planstream.index.catch-up-lag", "0"),
                        Map.entry("planstream.trainer.min-new-images", "0"), Map.entry("planstream.trainer.epochs", "1"),
                        Map.entry("planstream.trainer.batch-size", "8"), Map.entry("planstream.trainer.first-encoder-size", "32"),
                        Map.entry("planstream.trainer.device", "cpu"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void shouldTrainPublishRollOutPinAndUnpinAVersion() throws Exception {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        for (int i = 0; i < PLANS; i++) {
            given().contentType("image/png").body(plans.generate(500 + i).png()).post("/images").then().statusCode(202);
        }
        await(() -> given().get("/admin/trainer").<Integer>path("status.bufferImages") == PLANS, "the trainer buffers every plan");

        // Refusals before anything exists.
        given().post("/models/1/activate").then().statusCode(404).body("error", equalTo("unknown_model"))
                .body("message", containsString("known: none"));
        given().post("/models/x/activate").then().statusCode(400).body("error", equalTo("invalid_version"));

        Response round = given().post("/admin/trainer/rounds");
        round.then().statusCode(200);
        assertThat(round.<String>path("outcome")).as(round.asString()).isEqualTo("PUBLISHED");
        assertThat(round.<Integer>path("publishedVersion")).isEqualTo(1);
        assertThat(round.<Map<String, Float>>path("candidate")).containsKeys("heldout_ntxent", "alignment", "uniformity", "knn_top1");

        await(() -> Integer.valueOf(1).equals(given().get("/models").path("active")), "version 1 answers queries");
        Response models = given().get("/models");
        models.then().statusCode(200).body("target", equalTo(1)).body("versions[0].version", equalTo(1))
                .body("versions[0].pinned", equalTo(false)).body("versions[0].documents", equalTo(PLANS));
        assertThat(models.<Map<String, Float>>path("versions[0].metrics")).containsKeys("heldout_ntxent", "train_images");

        given().post("/models/1/activate").then().statusCode(200).body("target", equalTo(1)).body("changed.1", equalTo("PINNED"));
        given().get("/models").then().body("versions[0].pinned", equalTo(true));
        given().post("/models/unpin").then().statusCode(200).body("changed.1", equalTo("PUBLISHED"));
        given().post("/models/9/activate").then().statusCode(404).body("message", containsString("known: [1]"));

        byte[] png = given().get("/models/metrics.png").then().statusCode(200).contentType("image/png").extract().asByteArray();
        assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isGreaterThan(500);

        Response status = given().get("/admin/trainer");
        status.then().statusCode(200).body("status.rounds", equalTo(1)).body("rounds[0].outcome", equalTo("PUBLISHED"));
        List<?> rounds = status.path("rounds");
        assertThat(rounds).hasSize(1);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(200);
        }
    }
}
