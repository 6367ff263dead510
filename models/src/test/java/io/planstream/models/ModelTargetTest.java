package io.planstream.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;

class ModelTargetTest {

    @Test
    void shouldRunTheNewestPublishedOrActiveVersion() {
        assertThat(ModelTarget.select(versions(ModelState.ACTIVE, ModelState.PUBLISHED, ModelState.PUBLISHED))).hasValue(3);
        assertThat(ModelTarget.select(versions(ModelState.PUBLISHED, ModelState.ACTIVE))).hasValue(2);
    }

    @Test
    void shouldRunThePinnedVersionOverNewerOnes() {
        assertThat(ModelTarget.select(versions(ModelState.PUBLISHED, ModelState.PINNED, ModelState.ACTIVE, ModelState.PUBLISHED)))
                .hasValue(2);
    }

    @Test
    void shouldRunTheHighestPinnedVersionWhenSeveralArePinned() {
        assertThat(ModelTarget.select(versions(ModelState.PINNED, ModelState.PINNED, ModelState.PUBLISHED))).hasValue(2);
    }

    @Test
    void shouldReturnToTheNewestVersionWhenUnpinned() {
        Map<Integer, ModelVersion> pinned = versions(ModelState.PINNED, ModelState.ACTIVE, ModelState.PUBLISHED);
        assertThat(ModelTarget.select(pinned)).hasValue(1);

        pinned.put(1, ModelVersion.newBuilder(pinned.get(1)).setState(ModelState.PUBLISHED).build());

        assertThat(ModelTarget.select(pinned)).hasValue(3);
    }

    @Test
    void shouldNeverRunRetiredOrRejectedVersions() {
        assertThat(ModelTarget.select(versions(ModelState.PUBLISHED, ModelState.RETIRED, ModelState.REJECTED))).hasValue(1);
        assertThat(ModelTarget.select(versions(ModelState.RETIRED, ModelState.REJECTED))).isEmpty();
        assertThat(ModelTarget.select(Map.of())).isEmpty();
    }

    /** Versions 1..n in the given states. */
    private static Map<Integer, ModelVersion> versions(ModelState... states) {
        Map<Integer, ModelVersion> out = new TreeMap<>();
        for (int i = 0; i < states.length; i++) {
            int version = i + 1;
            out.put(version, ModelVersion.newBuilder()
                    .setVersion(version).setArchitecture("resnet18").setDimension(128).setInputSize(64)
                    .setArtifactUri(new ArtifactUri("model-artifacts", 0, version * 10L, version).toString())
                    .setArtifactSha256("00".repeat(32)).setState(states[i])
                    .setCreatedTime(Instant.ofEpochMilli(1_700_000_000_000L + version))
                    .build());
        }
        return out;
    }
}
