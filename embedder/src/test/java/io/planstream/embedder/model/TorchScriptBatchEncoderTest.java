package io.planstream.embedder.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.models.ArtifactResolver;
import io.planstream.simclr.Devices;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.TorchScriptImport;
import io.planstream.simclr.model.Normalization;

/**
 * An imported TorchScript encoder embeds through the same path as a trained ResNet: normalised, under the
 * 8 symmetries, averaged and L2-normalised; the vectors equal what PyTorch computed for the same pictures
 * ({@code expected.json}, written by the fixture script with torch 1.13) within float rounding.
 */
class TorchScriptBatchEncoderTest {

    /** Rounding between two libtorch builds; one wrong normalisation or symmetry is off by far more. */
    private static final double TOLERANCE = 1e-4;
    private static final int SIZE = 32;

    @TempDir
    static Path tmp;

    private static Path artifact;
    private static JsonNode expected;

    @BeforeAll
    static void importFixture() throws IOException, URISyntaxException {
        artifact = tmp.resolve("v7");
        TorchScriptImport.importEncoder(fixture("encoder.pt"), SIZE, 3, Normalization.centred(3), artifact);
        expected = new ObjectMapper().readTree(fixture("expected.json").toFile());
    }

    @Test
    void shouldEmbedAsPyTorchDoesWithAndWithoutSymmetries() throws ArtifactException {
        try (BatchEncoder encoder = BatchEncoder.load(artifact, 7, Devices.choose("cpu"))) {
            assertThat(encoder.architecture()).isEqualTo("torchscript");
            assertThat(encoder.inputSize()).isEqualTo(SIZE);
            assertThat(encoder.channels()).isEqualTo(3);
            assertThat(encoder.dimension()).isEqualTo(16);
            List<float[]> pictures = fixedPictures();
            assertClose(encoder.embed(pictures, false), expected.get("embedding"));
            assertClose(encoder.embed(pictures, true), expected.get("embedding_symmetries"));
            // One picture alone gets the vector it got in the batch: batches of any size are fine.
            assertClose(encoder.embed(pictures.subList(1, 2), true)[0], expected.get("embedding_symmetries").get(1));
        }
    }

    @Test
    void shouldResolveTheModuleFileAgainstThePublishedHash() throws ArtifactException {
        String sha = ModelArtifact.sha256Hex(artifact.resolve("encoder.pt"));
        ArtifactResolver resolver = new ArtifactResolver(null, tmp.resolve("cache"));
        assertThat(resolver.resolve(record(sha))).isEqualTo(artifact);
        String other = "0".repeat(64);
        assertThatThrownBy(() -> resolver.resolve(record(other)))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("(encoder.pt) have SHA-256 " + sha + " but the published record says " + other);
    }

    private static ModelVersion record(String sha) {
        return ModelVersion.newBuilder().setVersion(7).setParent(null).setArchitecture("torchscript").setDimension(16)
                .setInputSize(SIZE).setArtifactUri(artifact.toUri().toString()).setArtifactSha256(sha).setManifest(Map.of())
                .setMetrics(Map.of()).setState(ModelState.PUBLISHED).setCreatedTime(Instant.EPOCH).setPublisher("test").build();
    }

    /** The pictures the fixture script embedded: x[k] = (k mod 251) / 250 over the flat (2, 3, 32, 32) index. */
    private static List<float[]> fixedPictures() {
        int per = 3 * SIZE * SIZE;
        float[] flat = new float[2 * per];
        for (int k = 0; k < flat.length; k++) {
            flat[k] = (float) ((k % 251) / 250.0);
        }
        return List.of(Arrays.copyOfRange(flat, 0, per), Arrays.copyOfRange(flat, per, 2 * per));
    }

    private static void assertClose(float[][] got, JsonNode want) {
        assertThat(got.length).isEqualTo(want.size());
        for (int i = 0; i < got.length; i++) {
            assertClose(got[i], want.get(i));
        }
    }

    private static void assertClose(float[] got, JsonNode want) {
        assertThat(got).hasSize(want.size());
        for (int d = 0; d < got.length; d++) {
            assertThat((double) got[d]).as("component %d", d).isCloseTo(want.get(d).asDouble(), within(TOLERANCE));
        }
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(TorchScriptBatchEncoderTest.class.getResource("/torchscript/" + name).toURI());
    }
}
