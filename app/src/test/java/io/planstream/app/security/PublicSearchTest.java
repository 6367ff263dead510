package io.planstream.app.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@code planstream.security.public-search=true}: reads are open, uploads and administration still need keys. */
@QuarkusTest
@TestProfile(SecuredProfile.PublicSearch.class)
class PublicSearchTest {

    @Test
    void readsAreOpenWritesAreNot() {
        given().when().get("/status").then().statusCode(200).body("roles", equalTo(List.of("ingest")));
        given().when().get("/images/" + "b".repeat(64)).then().statusCode(404);
        given().contentType("image/png").body(io.planstream.app.TestImages.drawing(40, 40, 7, "png")).when().post("/images")
                .then().statusCode(401).body("message", containsString("'upload' role"));
        given().when().post("/models/unpin").then().statusCode(401).body("message", containsString("'admin' role"));
        given().header(ApiKeyMechanism.HEADER, SecuredProfile.UPLOADER).contentType("image/png")
                .body(io.planstream.app.TestImages.drawing(40, 40, 7, "png")).when().post("/images").then().statusCode(202);
    }
}
