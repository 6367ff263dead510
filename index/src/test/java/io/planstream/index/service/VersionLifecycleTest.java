package io.planstream.index.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.index.lucene.HnswParams;

/**
 * The version lifecycle without Kafka: what the readers would report (model records, lags, documents) is
 * handed in directly, on real Lucene indexes in a temporary directory.
 */
class VersionLifecycleTest {

    private static final int DIM = 8;

    @TempDir
    Path dir;

    private final Random random = new Random(42);
    /** The cluster as one replica alone sees it. */
    private final ServingView view = new ServingView();

    @Test
    void shouldActivateNothingUntilEmbedderAndIndexHaveCaughtUp() {
        try (VersionLifecycle lifecycle = new VersionLifecycle(settings(dir))) {
            VersionHandle v0 = lifecycle.open(0, DIM);
            fill(v0, 3);

            select(lifecycle);
            assertThat(lifecycle.active()).as("lags unknown").isNull();

            v0.embedderLag = 0;
            select(lifecycle);
            assertThat(lifecycle.active()).as("index lag still unknown").isNull();
            assertThatThrownBy(() -> lifecycle.acquire(null)).isInstanceOf(NoActiveVersionException.class)
                    .hasMessageContaining("building: [0]");

            lifecycle.indexLag(0);
            select(lifecycle);
            assertThat(lifecycle.active()).isSameAs(v0);
            assertThat(VersionLifecycle.state(v0, v0)).isEqualTo("active");
        }
    }

    @Test
    void shouldKeepTheCurrentVersionUntilTheNewOneHoldsAsManyImages() {
        try (VersionLifecycle lifecycle = new VersionLifecycle(settings(dir))) {
            lifecycle.indexLag(0);
            VersionHandle v0 = caughtUp(lifecycle.open(0, DIM), 4);
            select(lifecycle);
            VersionHandle v1 = caughtUp(lifecycle.open(1, DIM), 2);

            select(lifecycle);
            assertThat(lifecycle.active()).isSameAs(v0);
            assertThat(VersionLifecycle.state(v1, v0)).isEqualTo("building");
            assertThatThrownBy(() -> lifecycle.acquire(1)).isInstanceOf(VersionNotServedException.class)
                    .hasMessageContaining("the active version is 0");

            fill(v1, 2);
            select(lifecycle);
            assertThat(lifecycle.active()).isSameAs(v1);
            assertThat(VersionLifecycle.state(v0, v1)).isEqualTo("standby");
            VersionHandle held = lifecycle.acquire(0);
            held.release();
            assertThat(held).as("a once-active version answers, for a roll-back").isSameAs(v0);
        }
    }

    @Test
    void shouldFollowAPinnedOlderVersionAndNeverRetireIt() {
        try (VersionLifecycle lifecycle = new VersionLifecycle(settings(dir))) {
            lifecycle.indexLag(0);
            for (int v = 1; v <= 3; v++) {
                caughtUp(lifecycle.open(v, DIM), 2);
                lifecycle.putModel(model(v, ModelState.PUBLISHED));
                select(lifecycle);
            }
            assertThat(lifecycle.active().version).isEqualTo(3);
            assertThat(lifecycle.toRetire()).as("retainVersions 2: version 2 stays on standby").containsExactly(1);

            lifecycle.putModel(model(1, ModelState.PINNED));
            select(lifecycle);
            assertThat(lifecycle.active().version).isEqualTo(1);
            assertThat(lifecycle.toRetire()).isEmpty();

            lifecycle.putModel(model(1, ModelState.PUBLISHED));
            select(lifecycle);
            assertThat(lifecycle.active().version).as("unpinned: the newest published again").isEqualTo(3);
            lifecycle.toRetire().forEach(lifecycle::retire);
            assertThat(lifecycle.retiredVersions()).containsExactly(1);
            assertThat(lifecycle.get(1)).isNull();
        }
    }

    @Test
    void shouldRestoreTheActiveVersionAndTheRetiredOnesAfterARestart() {
        try (VersionLifecycle lifecycle = new VersionLifecycle(settings(dir))) {
            lifecycle.indexLag(0);
            caughtUp(lifecycle.open(0, DIM), 2);
            select(lifecycle);
            caughtUp(lifecycle.open(1, DIM), 2);
            caughtUp(lifecycle.open(2, DIM), 2);
            select(lifecycle);
            assertThat(lifecycle.active().version).isEqualTo(2);
            lifecycle.toRetire().forEach(lifecycle::retire);
            for (VersionHandle h : lifecycle.versions()) {
                h.commit(Map.of(0, 10L));
            }
        }

        try (VersionLifecycle restarted = new VersionLifecycle(settings(dir))) {
            assertThat(restarted.retiredVersions()).containsExactly(0);
            assertThat(restarted.versions()).extracting(h -> h.version).containsExactly(1, 2);
            assertThat(restarted.active()).as("before the models topic is read").isNull();

            restarted.restoreActive();
            assertThat(restarted.active().version).isEqualTo(2);
            assertThat(restarted.active().numDocs()).isEqualTo(2);
        }
    }

    @Test
    void shouldAnswerAClientAtItsMinimumVersionWhereThatIsReadyBeforeTheSwitchIsRead() {
        try (VersionLifecycle lifecycle = new VersionLifecycle(settings(dir))) {
            lifecycle.indexLag(0);
            VersionHandle v1 = caughtUp(lifecycle.open(1, DIM), 3);
            lifecycle.putModel(model(1, ModelState.PUBLISHED));
            select(lifecycle);
            VersionHandle v2 = lifecycle.open(2, DIM);
            fill(v2, 3);

            assertThatThrownBy(() -> lifecycle.acquire(null, 2)).as("version 2's embedder has not caught up")
                    .isInstanceOf(VersionNotReadyException.class).hasMessageContaining("version 2 or newer").hasMessageContaining("version 1");
            VersionHandle held = lifecycle.acquire(null, 1);
            held.release();
            assertThat(held).isSameAs(v1);

            v2.embedderLag = 0;
            assertThat(lifecycle.readyVersions()).containsExactly(1, 2);
            assertThat(lifecycle.active()).as("no switch read yet").isSameAs(v1);
            held = lifecycle.acquire(null, 2);
            held.release();
            assertThat(held).as("ready here: answers with it before the switch").isSameAs(v2);
            held = lifecycle.acquire(null, null);
            held.release();
            assertThat(held).as("without minVersion: the cluster's version").isSameAs(v1);

            v2.embedderLag = 1_000;
            assertThat(lifecycle.readyVersions()).as("once reported ready, a lag spike does not take it back").containsExactly(1, 2);
        }
    }

    @Test
    void shouldFollowTheClusterSwitchOnlyToAVersionItHoldsReady() {
        try (VersionLifecycle lifecycle = new VersionLifecycle(settings(dir))) {
            lifecycle.indexLag(0);
            VersionHandle v1 = caughtUp(lifecycle.open(1, DIM), 3);
            lifecycle.follow(new ServingView.Switch(1, 1, false, "r0", 0, "test"));
            assertThat(lifecycle.active()).isSameAs(v1);
            assertThat(lifecycle.servesCluster(new ServingView.Switch(1, 1, false, "r0", 0, "test"))).isTrue();

            VersionHandle v2 = lifecycle.open(2, DIM);
            ServingView.Switch toV2 = new ServingView.Switch(2, 2, false, "r0", 0, "test");
            lifecycle.follow(toV2);
            assertThat(lifecycle.active()).as("version 2 is still building here").isSameAs(v1);
            assertThat(lifecycle.servesCluster(toV2)).as("not ready for the load balancer").isFalse();

            // Caught up by its lags, though holding one image less than version 1 (whose embedder still wrote one more):
            // the cluster has left version 1, so only the lags count.
            caughtUp(v2, 2);
            assertThat(lifecycle.caughtUp(v2, v1)).as("as a candidate to replace version 1 it would not be").isFalse();
            lifecycle.follow(toV2);
            assertThat(lifecycle.active()).isSameAs(v2);
            assertThat(lifecycle.servesCluster(toV2)).isTrue();
            assertThat(lifecycle.servesCluster(null)).as("before the cluster's first switch").isTrue();
        }
    }

    /** One replica alone: it reports, coordinates, switches and follows, as the supervisor does. */
    private void select(VersionLifecycle lifecycle) {
        VersionHandle active = lifecycle.active();
        view.report(new ServingView.Report("r0", active == null ? null : active.version, lifecycle.readyVersions(), 0, null));
        view.decide("r0", 0, 10_000, lifecycle.target(), lifecycle.pinned(lifecycle.target())).ifPresent(view::switched);
        lifecycle.follow(view.current().orElse(null));
    }

    private VersionHandle caughtUp(VersionHandle h, int documents) {
        h.embedderLag = 0;
        fill(h, documents);
        return h;
    }

    private void fill(VersionHandle h, int documents) {
        int base = h.numDocs();
        for (int i = 0; i < documents; i++) {
            float[] vector = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                vector[d] = (float) random.nextGaussian();
            }
            h.upsert("img-" + (base + i), vector, 1L, null, null, Map.of());
        }
        h.refresh();
    }

    private static IndexSettings settings(Path dir) {
        return new IndexSettings(dir, HnswParams.defaults(), Duration.ofMillis(100), Duration.ofMillis(300), 0, 2, 64,
                Duration.ofMillis(200));
    }

    private static ModelVersion model(int version, ModelState state) {
        return ModelVersion.newBuilder()
                .setVersion(version).setArchitecture("resnet18").setDimension(DIM).setInputSize(64)
                .setArtifactUri("file:///models/v" + version).setArtifactSha256("00".repeat(32)).setState(state)
                .setCreatedTime(Instant.ofEpochMilli(1_700_000_000_000L + version))
                .build();
    }
}
