package io.planstream.index.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.index.lucene.HnswParams;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.TopicNames;
import io.planstream.platform.testing.Await;

/**
 * The index role against a real broker: embeddings become searchable, a restarted index resumes where its
 * data ends without replaying it, a tombstone deletes an image everywhere, and a new model version takes
 * over without a failed or mixed query.
 */
class IndexServiceTest {

    private static final int DIM = 16;

    @TempDir
    static Path dir;

    private static KafkaPlatform platform;
    private static KafkaProducer<byte[], byte[]> producer;
    private static TopicFixture fixture;

    @BeforeAll
    static void start() {
        fixture = TopicFixture.start();
        platform = fixture.platform();
        producer = fixture.producer();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void shouldServeEmbeddingsResumeAfterARestartAndFollowTombstonesAndVersions() throws Exception {
        IndexSettings settings = new IndexSettings(dir.resolve("index"), HnswParams.defaults(), Duration.ofMillis(100),
                Duration.ofMillis(300), 0, 1, 64, Duration.ofMillis(200));
        Random random = new Random(7);
        Map<String, float[]> v0 = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            String id = "plan-" + i;
            sendImage(id, i);
            v0.put(id, unit(random));
        }
        v0.forEach((id, v) -> sendEmbedding(id, 0, v));
        markEmbedderDone(0);

        IndexService service = new IndexService(platform, settings).start();
        try {
            await(() -> service.activeVersion().orElse(-1) == 0 && docs(service, 0) == 60, "version 0 active with 60 images");
            assertThat(service.awaitCatalog(Duration.ofSeconds(30))).isTrue();

            SearchResult similar = service.similar("plan-3", 5, 50);
            assertThat(similar.modelVersion()).isZero();
            assertThat(similar.hits()).hasSize(5).extracting(SearchHit::id).doesNotContain("plan-3")
                    .startsWith(exactTop1(v0, v0.get("plan-3"), "plan-3"));
            assertThat(similar.hits().get(0).metadata()).containsEntry("rooms.bedroom", "3");
            assertThat(similar.hits()).allSatisfy(h -> assertThat(h.score()).isBetween(-1f, 1f));
            SearchResult byVector = service.search(v0.get("plan-9"), 1, 10);
            assertThat(byVector.hits().get(0).id()).isEqualTo("plan-9");
            assertThat(byVector.hits().get(0).score()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
            byte[] png = service.thumbnail("plan-9").orElseThrow();
            assertThat(ImageIO.read(new java.io.ByteArrayInputStream(png))).extracting(BufferedImage::getWidth).isEqualTo(48);
            assertThatThrownBy(() -> service.similar("nobody", 5, 50)).isInstanceOf(UnknownImageException.class).hasMessageContaining("'nobody'");
            assertThatThrownBy(() -> service.search(new float[3], 5, 50)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 dimensions");
            assertThatThrownBy(() -> service.similar("plan-3", 60, 50)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numCandidates");
            awaitCommitted(settings);
        } finally {
            service.close();
        }

        // While it is down: 20 new images and 20 updates. The restarted index applies exactly these 40.
        for (int i = 60; i < 80; i++) {
            String id = "plan-" + i;
            sendImage(id, i);
            v0.put(id, unit(random));
            sendEmbedding(id, 0, v0.get(id));
        }
        for (int i = 0; i < 20; i++) {
            String id = "plan-" + i;
            v0.put(id, unit(random));
            sendEmbedding(id, 0, v0.get(id));
        }
        markEmbedderDone(0);

        Map<String, float[]> v1 = new HashMap<>();
        IndexService restarted = new IndexService(platform, settings).start();
        try {
            await(() -> restarted.activeVersion().orElse(-1) == 0 && docs(restarted, 0) == 80 && restarted.appliedSinceStart() == 40,
                    "80 distinct images, 40 records applied after the restart");
            Thread.sleep(500);
            assertThat(restarted.appliedSinceStart()).as("nothing replayed twice").isEqualTo(40);
            assertThat(restarted.search(v0.get("plan-5"), 1, 10).hits().get(0).id()).as("updates replace").isEqualTo("plan-5");

            // A tombstone deletes the image from the catalog and from every version's index.
            producer.send(new ProducerRecord<>(TopicNames.IMAGES, "plan-7".getBytes(), null)).get();
            await(() -> restarted.catalogEntry("plan-7").isEmpty() && docs(restarted, 0) == 79, "plan-7 deleted");
            v0.remove("plan-7");
            assertThat(restarted.imageStatus("plan-7").versions()).allSatisfy(s -> assertThat(s.indexed()).isFalse());

            // Version 1 is built beside version 0 while queries keep running; they switch atomically.
            v0.keySet().forEach(id -> v1.put(id, unit(random)));
            AtomicBoolean querying = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            AtomicReference<String> failure = new AtomicReference<>();
            java.util.Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            float[] probe = unit(new Random(99));
            Thread queries = new Thread(() -> {
                while (querying.get()) {
                    try {
                        SearchResult r = restarted.search(probe, 3, 100);
                        seen.add(r.modelVersion());
                        Map<String, float[]> truth = r.modelVersion() == 0 ? v0 : v1;
                        if (!r.hits().stream().allMatch(h -> h.modelVersion() == r.modelVersion())
                                || !r.hits().get(0).id().equals(exactTop1(truth, probe, null))) {
                            failure.compareAndSet(null, "mixed or wrong answer from v" + r.modelVersion() + ": " + r.hits());
                        }
                        answered.incrementAndGet();
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e.toString());
                    }
                }
            });
            queries.start();
            v1.forEach((id, v) -> sendEmbedding(id, 1, v));
            await(() -> docs(restarted, 1) == v1.size(), "version 1 indexed");
            Thread.sleep(500);
            assertThat(restarted.activeVersion()).as("v1 waits for its embedder to catch up").contains(0);
            markEmbedderDone(1);
            await(() -> restarted.activeVersion().orElse(-1) == 1, "version 1 active");
            await(() -> restarted.status().versions().size() == 1, "version 0 retired (one version retained)");
            Thread.sleep(300);
            querying.set(false);
            queries.join();
            assertThat(failure.get()).isNull();
            assertThat(seen).containsExactlyInAnyOrder(0, 1);
            assertThat(answered.get()).isGreaterThan(10);
            assertThat(settings.dataDir().resolve("v0")).doesNotExist();

            // A vector of the wrong dimension is refused (dead-lettered), the next one indexed.
            sendEmbedding("plan-1", 1, new float[] {1, 0, 0});
            sendEmbedding("plan-2", 1, v1.get("plan-1"));
            await(() -> restarted.refused() == 1 && restarted.search(v1.get("plan-1"), 2, 10).hits().stream().anyMatch(h -> h.id().equals("plan-2")),
                    "bad vector refused, next applied");
        } finally {
            restarted.close();
        }

        // A lost index directory is rebuilt from the topic on the next start.
        org.apache.lucene.util.IOUtils.rm(settings.dataDir().resolve("v1"));
        IndexService rebuilt = new IndexService(platform, settings).start();
        try {
            await(() -> docs(rebuilt, 1) == v1.size() && rebuilt.activeVersion().orElse(-1) == 1, "version 1 rebuilt from the topic");
            assertThat(rebuilt.search(v1.get("plan-1"), 2, 10).hits()).extracting(SearchHit::id).contains("plan-2");
        } finally {
            rebuilt.close();
        }
    }

    private static int docs(IndexService s, int version) {
        return s.status().versions().stream().filter(v -> v.version() == version).mapToInt(VersionStatus::documents).findFirst().orElse(-1);
    }

    private static String exactTop1(Map<String, float[]> vectors, float[] q, String exclude) {
        String best = null;
        double bestDot = Double.NEGATIVE_INFINITY;
        for (var e : vectors.entrySet()) {
            if (e.getKey().equals(exclude)) {
                continue;
            }
            double d = 0;
            for (int i = 0; i < q.length; i++) {
                d += q[i] * e.getValue()[i];
            }
            if (d > bestDot) {
                bestDot = d;
                best = e.getKey();
            }
        }
        return best;
    }

    private static float[] unit(Random r) {
        return TopicFixture.unit(r, DIM);
    }

    private static void sendImage(String id, int seed) throws IOException {
        fixture.sendImage(id, seed);
    }

    private static void sendEmbedding(String id, int version, float[] v) {
        fixture.sendEmbedding(id, version, v);
    }

    private static void markEmbedderDone(int version) {
        fixture.markEmbedderDone(version);
    }

    private static void awaitCommitted(IndexSettings settings) throws InterruptedException {
        Thread.sleep(settings.commitInterval().toMillis() * 2);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), condition);
    }
}
