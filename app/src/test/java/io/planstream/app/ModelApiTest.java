package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.planstream.app.cli.PlanstreamCommand;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.platform.testing.Await;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import picocli.CommandLine;

/**
 * The trainer and the model versions through the running application: an operator's round trains and
 * publishes version 1 through the artifacts topic, the index answers from it, a pin and an unpin are
 * answered with the target they leave, an imported TorchScript encoder becomes version 2 and answers a
 * picture search, and refusals name what was wrong.
 */
@QuarkusTest
@TestProfile(ModelApiTest.WithTrainer.class)
class ModelApiTest {

    private static final int PLANS = 20;

    @TestHTTPResource("/")
    URL server;

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
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void shouldTrainPublishRollOutPinAndUnpinAVersion() throws Exception {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        byte[] firstPlan = plans.generate(500).png();
        String firstId = null;
        String lastId = null;
        for (int i = 0; i < PLANS; i++) {
            byte[] png = i == 0 ? firstPlan : plans.generate(500 + i).png();
            String id = given().contentType("image/png").body(png).post("/images").then().statusCode(202).extract().path("id");
            firstId = firstId == null ? id : firstId;
            lastId = id;
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
        // Generated RPLAN plans carry their rooms: the gate ran the retrieval protocol on the held-out ones (with a handful of
        // plans, mAP and AUC may be undefined, and so absent; nDCG, graded by the rooms two plans share, is defined).
        assertThat(models.<Map<String, Float>>path("versions[0].metrics")).containsKeys("heldout_ntxent", "train_images",
                "retrieval_ndcg10");

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

        deleteAPlanEverywhere(lastId);
        importATorchScriptEncoderThenSearchWithIt(firstPlan, firstId);
    }

    /** A delete leaves the trainer's buffer and every version's index; then an upload of the same plan brings it back. */
    private void deleteAPlanEverywhere(String id) throws Exception {
        given().get("/images/" + id + "/vector?version=1").then().statusCode(200);
        given().delete("/images/" + id).then().statusCode(200).body("deleted", equalTo(true));
        given().get("/images/" + id).then().statusCode(404);
        await(() -> given().get("/admin/trainer").<Integer>path("status.bufferImages") == PLANS - 1,
                "the trainer's buffer drops the deleted plan");
        await(() -> given().get("/images/" + id + "/vector?version=1").statusCode() == 404, "version 1's index drops it");
        await(() -> given().get("/images/" + id + "/vector?version=0").statusCode() != 200, "version 0's index drops it");
        await(() -> given().get("/images/" + id + "/thumbnail").statusCode() == 404, "its thumbnail is gone");
        byte[] png = new FloorPlanGenerator().generate(500 + PLANS - 1).png();
        given().contentType("image/png").body(png).post("/images").then().statusCode(202).body("id", equalTo(id));
        await(() -> given().get("/admin/trainer").<Integer>path("status.bufferImages") == PLANS, "the trainer buffers it again");
        await(() -> given().get("/images/" + id + "/vector?version=1").statusCode() == 200, "version 1 indexes it again");
    }

    /**
     * An operator imports an encoder trained elsewhere: refusals say what was wrong and publish nothing; an
     * accepted file becomes version 2, the pipeline rolls to it, a picture search runs through it, a second
     * import of the same file is refused, and the trainer skips the version with the reason.
     */
    private void importATorchScriptEncoderThenSearchWithIt(byte[] plan, String planId) throws Exception {
        importing(fixture("feature_map.pt"), "?inputSize=32").then().statusCode(400).body("error", equalTo("wrong_output"))
                .body("message", containsString("the module returns shape (2, 10, 4, 4)"));
        importing(fixture("state_dict.pt"), "?inputSize=32").then().statusCode(400).body("error", equalTo("not_torchscript"))
                .body("message", containsString("is not a TorchScript module"));
        byte[] encoder = fixture("encoder.pt");
        importing(encoder, "").then().statusCode(400).body("error", equalTo("invalid_import"))
                .body("message", containsString("inputSize is required"));
        importing(encoder, "?inputSize=32&channels=1").then().statusCode(400).body("error", equalTo("invalid_import"))
                .body("message", containsString("imagenet is for 3-channel"));
        importing(encoder, "?inputSize=32&input_size=32").then().statusCode(400).body("message", containsString("'input_size'"));
        importing(new byte[0], "?inputSize=32").then().statusCode(400).body("error", equalTo("empty_body"));
        assertThat(declaringLength("/models/import?inputSize=32", 2L << 30)).startsWith("HTTP/1.1 413").contains("\"too_large\"")
                .contains("over the 1073741824 bytes of planstream.models.max-import-bytes");
        assertThat(declaringLength("/images", 13L << 20)).startsWith("HTTP/1.1 413").contains("of the upload limit");
        given().get("/models").then().body("target", equalTo(1)).body("versions[0].version", equalTo(1));

        Path file = Files.createTempDirectory("import").resolve("simclr-mini.pt");
        Files.write(file, encoder);
        String[] command = {"model", "import", "--url", server.toString(), file.toString(), "--input-size", "32", "--normalization", "centred"};
        Cli imported = cli(command);
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("\"version\" : 2").contains("\"target\" : 2").contains("\"architecture\" : \"torchscript\"")
                .contains("\"dimension\" : 16").contains("\"file\" : \"simclr-mini.pt\"");

        await(() -> Integer.valueOf(2).equals(given().get("/models").path("active")), "the imported version 2 answers queries");
        given().get("/models").then().body("versions[0].version", equalTo(2)).body("versions[0].architecture", equalTo("torchscript"))
                .body("versions[0].dimension", equalTo(16)).body("versions[0].documents", equalTo(PLANS))
                .body("versions[0].parent", nullValue());
        Response search = given().contentType("image/png").body(plan).post("/search?k=3");
        search.then().statusCode(200).body("modelVersion", equalTo(2)).body("hits[0].id", equalTo(planId));
        assertThat(search.<Float>path("hits[0].score")).isGreaterThan(0.999f);

        Cli again = cli(command);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("answered 409").contains("is version 2 already");
        assertThat(cli("model", "import", "--url", server.toString(), "missing.pt", "--input-size", "32").code()).isEqualTo(2);

        Response skipped = given().post("/admin/trainer/rounds");
        skipped.then().statusCode(200).body("outcome", equalTo("SKIPPED")).body("parentVersion", equalTo(2));
        assertThat(skipped.<String>path("reason")).contains("version 2 is an imported TorchScript encoder")
                .contains("needs a Planstream artifact with a projection head");
    }

    private static Response importing(byte[] body, String query) {
        return given().contentType("application/octet-stream").body(body).post("/models/import" + query);
    }

    /** The answer to a POST whose headers declare {@code length} bytes, none of which are sent. */
    private String declaringLength(String path, long length) throws IOException {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + server.getHost() + "\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] fixture(String name) throws IOException {
        try (var in = ModelApiTest.class.getResourceAsStream("/torchscript/" + name)) {
            assertThat(in).as("test fixture torchscript/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    record Cli(int code, String out, String err) {
    }

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = PlanstreamCommand.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, Duration.ofMinutes(3), condition);
    }
}
