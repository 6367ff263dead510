package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactInfo;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Truncated, tampered and mismatched artifacts, published as new versions while the whole pipeline
 * runs: the embedder refuses each with its reason (and counts it), the index keeps answering from
 * version 0, and a training round on one fails with the reason instead of training on it.
 */
@QuarkusTest
@TestProfile(ArtifactRefusalTest.AllRoles.class)
class ArtifactRefusalTest {

    private static final int SIZE = 32;
    private static final EncoderSpec SPEC = EncoderSpec.of("resnet-mini", 3, SIZE);

    public static class AllRoles implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.ofEntries(Map.entry("planstream.roles", "ingest,embedder,index,trainer"),
                        Map.entry("planstream.data-dir", Files.createTempDirectory("planstream-refusals").toString()),
                        Map.entry("planstream.embedder.batch-size", "8"), Map.entry("planstream.index.catch-up-lag", "0"),
                        Map.entry("planstream.embedder.bootstrap-size", String.valueOf(SIZE)),
                        Map.entry("planstream.trainer.min-new-images", "0"), Map.entry("planstream.trainer.epochs", "1"),
                        Map.entry("planstream.trainer.batch-size", "8"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Inject
    KafkaPlatform platform;

    @Test
    void badArtifactsAreRefusedEverywhereAndVersionZeroKeepsServing() throws Exception {
        FloorPlanGenerator plans = new FloorPlanGenerator();
        String first = null;
        for (int i = 0; i < 6; i++) {
            String id = given().contentType("image/png").body(plans.generate(700 + i).png()).post("/images").then().statusCode(202)
                    .extract().path("id");
            first = first == null ? id : first;
        }
        awaitSimilar(first, 0);
        Path root = Files.createTempDirectory("planstream-bad-artifacts");

        // 1. Truncated: the parameter file cut in half after the manifest recorded its hash.
        Path truncated = artifact(root, "truncated", dir -> cut(dir.resolve(ModelArtifact.PARAMETERS)));
        publish(1, truncated, ModelArtifact.sha256Hex(truncated.resolve(ModelArtifact.PARAMETERS)), 128);
        expectRefusal(1, first);

        // 2. Tampered: one byte of the parameters changed, the record carrying the new file's hash.
        Path tampered = artifact(root, "tampered", dir -> flip(dir.resolve(ModelArtifact.PARAMETERS)));
        publish(2, tampered, ModelArtifact.sha256Hex(tampered.resolve(ModelArtifact.PARAMETERS)), 128);
        expectRefusal(2, first);

        // 3. Mismatched hash: a sound artifact whose record names another file's hash.
        Path sound = artifact(root, "sound", dir -> { });
        publish(3, sound, "0".repeat(64), 128);
        expectRefusal(3, first);

        // 4. Mismatched dimension: the record says 64, the artifact's encoder gives 128.
        Path other = artifact(root, "other", dir -> { });
        publish(4, other, ModelArtifact.sha256Hex(other.resolve(ModelArtifact.PARAMETERS)), 64);
        expectRefusal(4, first);

        // The trainer refuses to continue from the refused target, with the reason.
        Response round = given().post("/admin/trainer/rounds");
        assertThat(round.<String>path("outcome")).as(round.asString()).isIn("FAILED", "SKIPPED");
        assertThat(round.<String>path("reason")).as(round.asString()).containsAnyOf("SHA-256", "dimension", "hash");
        // And version 0 still answers.
        given().queryParam("k", 2).get("/images/" + first + "/similar").then().statusCode(200);
    }

    private void expectRefusal(int version, String probe) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Response status;
        do {
            Thread.sleep(250);
            status = given().get("/status");
        } while (status.<Integer>path("embedder.refusedArtifacts") < version && System.nanoTime() < deadline);
        assertThat(status.<Integer>path("embedder.refusedArtifacts")).as("refusals after version %d: %s", version, status.asString())
                .isEqualTo(version);
        assertThat(status.<String>path("embedder.lastRefusal")).as("reason for version %d", version).contains(String.valueOf(version));
        System.out.printf("version %d refused: %s%n", version, status.<String>path("embedder.lastRefusal"));
        awaitSimilar(probe, 0);
        assertThat(status.<Integer>path("index.active")).as("active version after refusing %d", version).isZero();
    }

    private static void awaitSimilar(String id, int version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Response r;
        do {
            Thread.sleep(200);
            r = given().queryParam("k", 2).get("/images/" + id + "/similar");
        } while (r.statusCode() != 200 && System.nanoTime() < deadline);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.<Integer>path("modelVersion")).isEqualTo(version);
    }

    private static Path artifact(Path root, String name, IoConsumer damage) throws IOException {
        Path out = root.resolve(name);
        SimClrEngine.get().setRandomSeed(name.hashCode());
        try (NDManager m = SimClrEngine.get().newBaseManager()) {
            SimClrModel model = SimClrModel.builder().setEncoder(SPEC).optHead(ProjectionHeadSpec.v1()).build();
            model.initialize(m, DataType.FLOAT32, SPEC.inputShape(1));
            ModelArtifact.save(out, model, new ArtifactInfo(name, null, Normalization.centred(3), "test", 0, Map.of()));
        }
        damage.accept(out);
        return out;
    }

    private interface IoConsumer {
        void accept(Path dir) throws IOException;
    }

    private static void cut(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, b.length / 2));
    }

    private static void flip(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x40;
        Files.write(file, b);
    }

    private void publish(int version, Path dir, String sha, int dimension) throws Exception {
        var topic = platform.topics().models();
        ModelVersion v = ModelVersion.newBuilder().setVersion(version).setParent(null).setArchitecture(SPEC.name())
                .setDimension(dimension).setInputSize(SIZE).setArtifactUri(dir.toUri().toString()).setArtifactSha256(sha)
                .setManifest(Map.of()).setMetrics(Map.of()).setState(ModelState.PUBLISHED)
                .setCreatedTime(Instant.now()).setPublisher("test").build();
        try (KafkaProducer<String, ModelVersion> p = new KafkaProducer<>(new HashMap<>(platform.clientProperties()),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            p.send(new ProducerRecord<>(topic.name(), String.valueOf(version), v)).get();
        }
    }

}
