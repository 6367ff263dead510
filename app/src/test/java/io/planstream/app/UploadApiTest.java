package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.broker.EmbeddedKafka;
import io.planstream.ingest.ImageId;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The upload API against a real broker: what is accepted lands in Kafka byte for byte; what is refused writes nothing. */
@QuarkusTest
@QuarkusTestResource(value = ExternalKafkaResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UploadApiTest {

    /** Every id this test class had accepted, with the bytes it sent. */
    private static final Map<String, byte[]> ACCEPTED = new HashMap<>();

    @Inject
    KafkaPlatform platform;

    EmbeddedKafka kafka;

    @Test
    @Order(1)
    void shouldStoreTheSharedRplanFilesByteForByteWithRoomCounts() throws Exception {
        List<Path> rplan = TestImages.filesIn(TestImages.sharedData().resolve("rplan"), ".png");
        Assumptions.assumeFalse(rplan.isEmpty(), "shared RPLAN files absent: " + TestImages.sharedData());
        for (Path file : rplan) {
            byte[] bytes = Files.readAllBytes(file);
            String id = given().contentType("image/png").queryParam("filename", file.getFileName().toString()).body(bytes)
                    .when().post("/images")
                    .then().statusCode(202)
                    .header("Location", containsString("/images/"))
                    .body("format", equalTo("rplan"))
                    .extract().path("id");
            assertThat(id).isEqualTo(ImageId.sha256Hex(bytes));
            ACCEPTED.put(id, bytes);
        }
        Map<String, ImageRecord> stored = readImages();
        for (Path file : rplan) {
            ImageRecord r = stored.get(ImageId.sha256Hex(Files.readAllBytes(file)));
            assertThat(r).as("record of %s", file).isNotNull();
            assertThat(bytes(r.getOriginal().duplicate())).isEqualTo(Files.readAllBytes(file));
            assertThat(r.getFormat()).isEqualTo(ImageFormat.RPLAN);
            assertThat(r.getRendered()).as("rendered colour picture").isNotNull();
            assertThat(r.getMetadata()).containsKey("rooms.total");
            assertThat(Integer.parseInt(r.getMetadata().get("rooms.total"))).isGreaterThan(2);
            assertThat(r.getWidth()).isEqualTo(256);
            assertThat(r.getFilename()).isEqualTo(file.getFileName().toString());
        }
    }

    @Test
    @Order(2)
    void shouldStoreTheSharedPicturesUploadedAsMultipartForms() throws Exception {
        List<Path> pictures = TestImages.filesIn(TestImages.sharedData().resolve("floorplans-other"), ".jpg", ".png");
        Assumptions.assumeFalse(pictures.isEmpty(), "shared floor-plan pictures absent: " + TestImages.sharedData());
        for (Path file : pictures) {
            String type = file.toString().endsWith(".png") ? "image/png" : "image/jpeg";
            String id = "plan-" + file.getFileName().toString().replaceAll("[^A-Za-z0-9]", "-");
            given().multiPart("file", file.toFile(), type).multiPart("id", id).multiPart("architect", "unknown")
                    .when().post("/images")
                    .then().statusCode(202)
                    .body("id", equalTo(id))
                    .body("format", equalTo("picture"));
            ACCEPTED.put(id, Files.readAllBytes(file));
        }
        Map<String, ImageRecord> stored = readImages();
        for (Path file : pictures) {
            String id = "plan-" + file.getFileName().toString().replaceAll("[^A-Za-z0-9]", "-");
            ImageRecord r = stored.get(id);
            assertThat(r).as("record of %s", file).isNotNull();
            assertThat(bytes(r.getOriginal().duplicate())).isEqualTo(Files.readAllBytes(file));
            assertThat(r.getMetadata()).containsEntry("architect", "unknown");
            assertThat(r.getFormat()).isEqualTo(ImageFormat.PICTURE);
            assertThat(r.getRendered()).isNull();
            given().when().get("/images/" + id).then().statusCode(200)
                    .body("status", equalTo("accepted"))
                    .body("width", equalTo(r.getWidth()))
                    .body("metadata.architect", equalTo("unknown"));
        }
    }

    @Test
    @Order(3)
    void shouldGiveTheSameIdToTheSameUploadTwice() {
        byte[] png = TestImages.drawing(64, 48, 3, "png");
        String first = given().contentType("image/png").body(png).post("/images").then().statusCode(202).extract().path("id");
        String second = given().contentType("image/png").body(png).post("/images").then().statusCode(202).extract().path("id");
        assertThat(first).isEqualTo(second).isEqualTo(ImageId.sha256Hex(png));
        ACCEPTED.put(first, png);
        given().when().get("/images/" + first).then().statusCode(200).body("width", equalTo(64)).body("height", equalTo(48));
        // This process runs no index: it cannot say when the image is searchable, and says why.
        given().queryParam("waitFor", "searchable").get("/images/" + first).then().statusCode(400)
                .body("message", containsString("index role"));
    }

    @Test
    @Order(4)
    void shouldRefuseBadUploadsWithAReasonAndWriteNothing() throws Exception {
        byte[] png = TestImages.drawing(40, 30, 5, "png");
        byte[] jpeg = TestImages.drawing(40, 30, 6, "jpeg");
        refused(given().contentType("image/png").body(new byte[0]), 400, "empty_body");
        refused(given().contentType("image/png").body("hello, this is not a picture".getBytes()), 400, "not_an_image");
        refused(given().contentType("image/jpeg").body(png), 400, "content_type_mismatch");
        refused(given().contentType("image/png").body(Arrays.copyOf(png, png.length / 2)), 400, "truncated");
        refused(given().contentType("image/jpeg").body(Arrays.copyOf(jpeg, jpeg.length * 2 / 3)), 400, "truncated");
        refused(given().contentType("image/png").body(TestImages.pngClaiming(50_000, 50_000)), 400, "dimensions_too_large");
        byte[] big = Arrays.copyOf(png, 10 * 1024 * 1024 + 1);
        refused(given().contentType("image/png").body(big), 413, "too_large");
        refused(given().contentType("image/png").queryParam("id", "../etc/passwd").body(png), 400, "invalid_id");
        refused(given().contentType("image/png").queryParam("id", "x".repeat(129)).body(png), 400, "invalid_id");
        refused(given().contentType("image/png").queryParam("meta.rooms.total", "99").body(png), 400, "invalid_metadata");
        refused(given().contentType("image/png").queryParam("format", "vector").body(png), 400, "invalid_format");
        given().when().get("/images/no-such-image").then().statusCode(404).body("error", equalTo("not_found"));
        given().when().get("/images/bad..id%2F..").then().statusCode(400);

        // Nothing refused reached the topic: exactly the accepted images are there.
        Map<String, ImageRecord> stored = readImages();
        assertThat(stored.keySet()).isEqualTo(ACCEPTED.keySet());
        assertThat(ImageId.sha256Hex(png)).isNotIn(stored.keySet());
    }

    @Test
    @Order(5)
    void shouldAnswer503WithRetryAfterWhenKafkaIsDown() {
        given().when().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItem("kafka"));
        kafka.close();
        given().when().get("/q/health/ready").then().statusCode(503);
        byte[] png = TestImages.drawing(20, 20, 9, "png");
        long start = System.nanoTime();
        given().contentType("image/png").body(png)
                .when().post("/images")
                .then().statusCode(503)
                .header("Retry-After", notNullValue())
                .body("error", equalTo("kafka_unavailable"))
                .body("message", containsString("retry"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        // The server itself stays up and answers.
        given().contentType("image/png").body(new byte[0]).post("/images").then().statusCode(400);
    }

    private static void refused(io.restassured.specification.RequestSpecification request, int status, String code) {
        Response r = request.when().post("/images");
        r.then().statusCode(status).body("error", equalTo(code)).body("message", notNullValue());
        assertThat(r.jsonPath().getString("message")).as("message of %s", code).isNotBlank();
    }

    private Map<String, ImageRecord> readImages() {
        return TopicReader.latestByKey(platform.clientProperties(), platform.topics().images(), Duration.ofSeconds(30));
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
