package io.planstream.app.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;

/**
 * Access control on, through the real HTTP server and Quarkus security: each endpoint family
 * refuses requests without a key (401), with a wrong key (401) and with a key of too small a role
 * (403), each with its reason; the right key passes; what was refused was never accepted.
 */
@QuarkusTest
@TestProfile(SecuredProfile.class)
class AccessControlTest {

    private static byte[] picture(int seed) {
        return io.planstream.app.TestImages.drawing(64, 48, seed, "png");
    }

    private static RequestSpecification as(String key) {
        return given().header(ApiKeyMechanism.HEADER, key);
    }

    @Test
    void uploadsNeedAKeyWithTheUploadRole() {
        byte[] bytes = picture(1);
        given().contentType("image/png").body(bytes).when().post("/images")
                .then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("status", equalTo(401)).body("error", equalTo("unauthorized"))
                .body("message", containsString("'upload' role"));
        as("ps_not-a-key-of-this-server-at-all").contentType("image/png").body(bytes).when().post("/images")
                .then().statusCode(401).body("message", equalTo("the API key is not valid"));
        as(SecuredProfile.READER).contentType("image/png").body(bytes).when().post("/images")
                .then().statusCode(403).body("error", equalTo("forbidden"))
                .body("message", containsString("key 'reader'")).body("message", containsString("needs 'upload'"));
        // Nothing of the refused attempts was accepted.
        String id = io.planstream.ingest.ImageId.sha256Hex(bytes);
        as(SecuredProfile.READER).when().get("/images/" + id).then().statusCode(404);

        as(SecuredProfile.UPLOADER).contentType("image/png").body(bytes).when().post("/images").then().statusCode(202);
        given().header("Authorization", "Bearer " + SecuredProfile.OPS).contentType("image/png").body(picture(2))
                .when().post("/images").then().statusCode(202);
        as(SecuredProfile.READER).when().get("/images/" + id).then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void readsNeedAKeyUnlessMadePublic() {
        given().when().get("/images/" + "a".repeat(64)).then().statusCode(401);
        given().when().get("/status").then().statusCode(401);
        given().when().get("/models").then().statusCode(401);
        given().when().get("/search").then().statusCode(401);
        as(SecuredProfile.READER).when().get("/status").then().statusCode(not(401)).statusCode(not(403));
    }

    @Test
    void adminEndpointsNeedTheAdminRole() {
        as(SecuredProfile.UPLOADER).when().get("/admin/embedder").then().statusCode(403).body("message", containsString("needs 'admin'"));
        as(SecuredProfile.UPLOADER).when().post("/models/unpin").then().statusCode(403);
        as(SecuredProfile.UPLOADER).when().post("/admin/trainer/rounds").then().statusCode(403);
        given().when().post("/models/1/activate").then().statusCode(401);
        as(SecuredProfile.OPS).when().get("/admin/embedder").then().statusCode(not(401)).statusCode(not(403));
    }

    @Test
    void probesMetricsAndThePageStayOpen() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200);
        given().when().get("/").then().statusCode(200);
        given().when().get("/app.js").then().statusCode(200);
        // A wrong key is refused even where none is needed: a client with a broken key learns it at once.
        as("ps_wrong").when().get("/q/health/live").then().statusCode(401);
    }

    @Test
    void keysAreComparedByDigestNotByPrefix() {
        String almost = SecuredProfile.UPLOADER.substring(0, SecuredProfile.UPLOADER.length() - 1);
        as(almost).contentType("image/png").body(picture(3)).when().post("/images").then().statusCode(401);
        as(SecuredProfile.UPLOADER + "x").contentType("image/png").body(picture(3)).when().post("/images").then().statusCode(401);
        assertThat(SecuredProfile.UPLOADER).startsWith(ApiKeys.PREFIX);
    }
}
