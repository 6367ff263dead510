package io.planstream.index.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.avro.ServingKind;
import io.planstream.avro.ServingRecord;
import io.planstream.index.lucene.HnswParams;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.TopicNames;
import io.planstream.platform.UploadToken;
import io.planstream.platform.testing.Await;

/**
 * Three index replicas on one real broker agree on one serving version: they switch together once every
 * live one holds the new version ready, a replica that reported and then went silent holds a switch back
 * only until its report ages out, a pin takes them all back, and a replica that stops cleanly withdraws.
 */
class ServingClusterTest {

    private static final int DIM = 8;
    private static final int PLANS = 20;
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path dir;

    private static KafkaPlatform platform;
    private static TopicFixture fixture;

    @BeforeAll
    static void start() {
        fixture = TopicFixture.start();
        platform = fixture.platform();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void shouldSwitchEveryReplicaTogetherWaitOnlyForLiveOnesAndFollowAPin() throws Exception {
        Random random = new Random(3);
        for (int i = 0; i < PLANS; i++) {
            fixture.sendImage("plan-" + i, i);
            fixture.sendEmbedding("plan-" + i, 1, TopicFixture.unit(random, DIM));
        }
        publishModel(1, ModelState.PUBLISHED);
        fixture.markEmbedderDone(1);

        List<IndexService> replicas = new ArrayList<>();
        try {
            for (String id : List.of("r1", "r2", "r3")) {
                replicas.add(new IndexService(platform, settings(id)).start());
            }
            await(() -> replicas.stream().allMatch(r -> r.activeVersion().orElse(-1) == 1), "every replica answers with version 1");
            ClusterStatus first = replicas.get(2).cluster();
            assertThat(first.servingVersion()).isEqualTo(1);
            assertThat(first.epoch()).as("one switch, the first").isEqualTo(1);
            assertThat(first.switchedBy()).as("the smallest id coordinates").isEqualTo("r1");
            assertThat(first.coordinator()).isEqualTo("r1");
            assertThat(first.replica()).isEqualTo("r3");
            assertThat(first.ready()).isTrue();
            await(() -> replicas.get(2).cluster().replicas().stream().filter(ClusterStatus.Replica::live).count() == 3, "three live reports");

            // A replica "r0" reports and then goes silent, as a killed one would: it holds version 1 only, and while
            // its report is fresh it is the coordinator and must be ready for a switch.
            long silentSince = System.currentTimeMillis();
            sendGhostReport("r0", silentSince);
            publishModel(2, ModelState.PUBLISHED);
            for (int i = 0; i < PLANS; i++) {
                fixture.sendEmbedding("plan-" + i, 2, TopicFixture.unit(random, DIM));
            }
            fixture.markEmbedderDone(2);
            await(() -> replicas.stream().allMatch(r -> r.cluster().replicas().stream()
                    .filter(x -> !x.id().equals("r0")).allMatch(x -> x.ready().contains(2))), "every real replica holds version 2 ready");
            if (System.currentTimeMillis() - silentSince < REPLICA_TIMEOUT.toMillis() - 300) {
                assertThat(replicas).as("r0 still counts as live and is not ready: no switch")
                        .allSatisfy(r -> assertThat(r.activeVersion()).contains(1));
            }
            await(() -> replicas.stream().allMatch(r -> r.activeVersion().orElse(-1) == 2), "every replica answers with version 2");
            assertThat(System.currentTimeMillis() - silentSince).as("the switch waited for r0's report to age out")
                    .isGreaterThanOrEqualTo(REPLICA_TIMEOUT.toMillis());
            ClusterStatus second = replicas.get(0).cluster();
            assertThat(second.servingVersion()).isEqualTo(2);
            assertThat(second.epoch()).isEqualTo(2);
            assertThat(second.replicas()).filteredOn(x -> x.id().equals("r0")).singleElement()
                    .satisfies(x -> assertThat(x.live()).isFalse());
            assertThat(second.reason()).contains("[r1, r2, r3]");

            // A client that saw version 2 is answered by version 2 on every replica.
            for (IndexService r : replicas) {
                assertThat(r.search(TopicFixture.unit(random, DIM), new SearchOptions(3, 10, 0, null, null, null, 2)).modelVersion())
                        .isEqualTo(2);
            }

            // Read-your-writes: a token is answered once the upload's position is searchable in the active version, on
            // every replica; one no replica has reached answers false at its timeout.
            UploadToken token = new UploadToken(1, 1_000);
            var waits = replicas.stream().map(r -> r.awaitToken(token, Duration.ofSeconds(30))).toList();
            assertThat(waits).noneMatch(java.util.concurrent.CompletableFuture::isDone);
            fixture.sendEmbedding("plan-0", 2, TopicFixture.unit(random, DIM), token);
            for (var w : waits) {
                assertThat(w.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
            assertThat(replicas.get(0).awaitToken(new UploadToken(1, 999), Duration.ZERO).get()).as("an earlier position").isTrue();
            assertThat(replicas.get(0).awaitToken(new UploadToken(0, 1_000), Duration.ofMillis(300)).get()).as("another partition")
                    .isFalse();

                        // An operator pins version 1: every replica goes back, and the switch says it was a pin.
            publishModel(1, ModelState.PINNED);
            await(() -> replicas.stream().allMatch(r -> r.activeVersion().orElse(-1) == 1), "every replica back on the pinned version 1");
            ClusterStatus pinned = replicas.get(1).cluster();
            assertThat(pinned.pinned()).isTrue();
            assertThat(pinned.epoch()).isEqualTo(3);

            // r1 stops cleanly: it withdraws its report, and r2 coordinates at once.
            replicas.remove(0).close();
            await(() -> "r2".equals(replicas.get(0).cluster().coordinator())
                    && replicas.get(0).cluster().replicas().stream().noneMatch(x -> x.id().equals("r1")), "r1 withdrawn, r2 coordinates");
        } finally {
            for (IndexService r : replicas) {
                r.close();
            }
        }
    }

    private static IndexSettings settings(String replica) {
        return new IndexSettings(dir.resolve(replica), HnswParams.defaults(), Duration.ofMillis(50), Duration.ofMillis(500), 0, 3, 32,
                Duration.ofMillis(100), new ServingSettings(replica, "http://" + replica + ":8080", HEARTBEAT, REPLICA_TIMEOUT,
                ServingSettings.DEFAULT_SWITCH_TRANSACTIONAL_ID));
    }

    private static void sendGhostReport(String replica, long time) {
        ServingRecord r = ServingRecord.newBuilder().setKind(ServingKind.REPORT).setReplica(replica).setVersion(1)
                .setReadyVersions(List.of(1)).setTime(Instant.ofEpochMilli(time)).build();
        fixture.send(TopicNames.SERVING, ServingChannel.REPORT_PREFIX + replica,
                platform.topics().serving().valueSerde().serializer().serialize(TopicNames.SERVING, r));
    }

    /** The model record of a version, as a trainer or an operator writes it (the index reads no artifact). */
    private static void publishModel(int version, ModelState state) {
        ModelVersion m = ModelVersion.newBuilder().setVersion(version).setArchitecture("small").setDimension(DIM).setInputSize(64)
                .setArtifactUri("file:///models/v" + version).setArtifactSha256("00".repeat(32)).setState(state)
                .setCreatedTime(Instant.now()).build();
        fixture.send(TopicNames.MODELS, Integer.toString(version),
                platform.topics().models().valueSerde().serializer().serialize(TopicNames.MODELS, m));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), condition);
    }
}
