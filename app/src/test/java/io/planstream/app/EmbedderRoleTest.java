package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.planstream.app.memory.NativeMemoryRole;
import io.planstream.avro.Embedding;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.TopicReader;
import io.planstream.simclr.NativeMemoryTrimmer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Upload to embedding through the running application: ingest and embedder roles on one broker. */
@QuarkusTest
@TestProfile(EmbedderRoleTest.IngestAndEmbedder.class)
class EmbedderRoleTest {

    /** Runs the embedder next to ingest. */
    public static class IngestAndEmbedder implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("planstream.roles", "ingest,embedder", "planstream.embedder.batch-size", "4",
                    "planstream.embedder.forward-workers", "3");
        }
    }

    @Inject
    KafkaPlatform platform;

    @Inject
    NativeMemoryRole memory;

    @Test
    void shouldEmbedAnUploadWithTheBootstrapVersion() throws InterruptedException {
        byte[] png = TestImages.drawing(60, 40, 4, "png");
        String id = given().contentType("image/png").body(png).post("/images").then().statusCode(202).extract().path("id");
        Embedding e = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (e == null && System.nanoTime() < deadline) {
            e = TopicReader.latestByKey(platform.clientProperties(), platform.topics().embeddings(), Duration.ofSeconds(10)).get(id);
            if (e == null) {
                Thread.sleep(250);
            }
        }
        assertThat(e).as("embedding of %s", id).isNotNull();
        assertThat(e.getModelVersion()).isZero();
        assertThat(e.getVector()).hasSize(e.getDimension());
        given().when().get("/admin/embedder").then().statusCode(200)
                .body("running", equalTo(true))
                .body("versions[0].version", equalTo(0))
                .body("refusedArtifacts", equalTo(0))
                // Three workers configured, the threads not: the cores shared among them, at least one each.
                .body("forwardWorkers.workers", equalTo(3))
                .body("forwardWorkers.intraOpThreads", equalTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 3)));
    }

    /** The name and tag that the KEDA query of deploy/kubernetes/base/embedder-scaledobject.yaml reads. */
    @Test
    void shouldExportTheLagOfTheLiveVersionForTheAutoscaler() throws InterruptedException {
        Pattern live = Pattern.compile("(?m)^planstream_embedder_lag\\{version=\"0\",?} [0-9.E]+$");
        String metrics = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!live.matcher(metrics).find() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        }
        assertThat(metrics).containsPattern(live)
                .as("only the live version has a series, and never an unknown lag as -1")
                .doesNotContainPattern("(?m)^planstream_embedder_lag\\{version=\"[1-9]")
                .doesNotContainPattern("(?m)^planstream_embedder_lag\\{.*} -");
    }

    @Test
    void residentMemoryAndTheAllocatorTrimsArePublished() {
        NativeMemoryTrimmer trimmer = memory.trimmer();
        assertThat(trimmer).as("trimming is on by default on glibc").isNotNull();
        trimmer.trim();
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("(?m)^planstream_process_resident_memory_megabytes [1-9][0-9.E]*$")
                .containsPattern("(?m)^planstream_native_trimmed_megabytes_total [0-9.E]+$");
    }
}
