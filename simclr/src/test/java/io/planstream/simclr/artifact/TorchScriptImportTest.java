package io.planstream.simclr.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.RefusedEncoderException;
import io.planstream.simclr.model.TorchScriptEncoder;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports the TorchScript fixtures of {@code src/test/resources/torchscript} (written by PyTorch with
 * {@code make_fixtures.py}) and runs them through the libtorch DJL bundles.
 */
class TorchScriptImportTest {

    /** Float rounding between two libtorch builds on the same input; a wrong layer is far off. */
    private static final double TOLERANCE = 1e-4;

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(TorchScriptImportTest.class.getResource("/torchscript/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture torchscript/" + name, e);
        }
    }

    /** The input make_fixtures.py feeds: x[k] = (k mod 251) / 250 over the flat (N, C, S, S) index. */
    static float[] fixedInput(int count) {
        float[] x = new float[count];
        for (int k = 0; k < count; k++) {
            x[k] = (float) ((k % 251) / 250.0);
        }
        return x;
    }

    private Path imported() throws IOException {
        Path dir = tmp.resolve("v-import");
        TorchScriptImport.importEncoder(fixture("encoder.pt"), 32, 3, Normalization.centred(3), dir);
        return dir;
    }

    @Test
    void shouldImportEncoderWithMeasuredDimensionAndHashOfTheModuleFile() throws IOException {
        Path dir = tmp.resolve("v-import");
        Instant now = Instant.parse("2025-06-01T12:00:00Z");
        ModelManifest written =
                TorchScriptImport.importEncoder(
                        fixture("encoder.pt"),
                        "simclr-mini.pt",
                        32,
                        3,
                        Normalization.named("imagenet", 3),
                        dir,
                        Clock.fixed(now, ZoneOffset.UTC));

        ModelManifest read = ModelArtifact.readManifest(dir);
        assertThat(read).isEqualTo(written);
        assertThat(read.isTorchScript()).isTrue();
        assertThat(read.architecture()).isEqualTo("torchscript");
        assertThat(read.embeddingDim()).isEqualTo(16);
        assertThat(read.inputSize()).isEqualTo(32);
        assertThat(read.inputChannels()).isEqualTo(3);
        assertThat(read.normalizationSpec()).isEqualTo(Normalization.imagenet());
        assertThat(read.projectionHead()).isNull();
        assertThat(read.parametersFile()).isEqualTo("simclr-mini.pt");
        assertThat(read.created()).isEqualTo(now);
        // conv 3->8 (216 + 8), batch norm (8 + 8), conv 8->16 (1152 + 16)
        assertThat(read.parameterCount()).isEqualTo(1408);
        assertThat(read.trainingData()).contains("encoder.pt");
        String sha = ModelArtifact.sha256Hex(fixture("encoder.pt"));
        assertThat(read.parametersSha256()).isEqualTo(sha);
        assertThat(ModelArtifact.parametersFile(dir)).isEqualTo(dir.resolve("simclr-mini.pt"));
        assertThat(ModelArtifact.sha256Hex(dir.resolve("simclr-mini.pt"))).isEqualTo(sha);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("manifest.json", "simclr-mini.pt");
        }
    }

    @Test
    void shouldReturnWhatPyTorchReturnedForTheSameInput() throws IOException {
        JsonNode expected = JSON.readTree(fixture("expected.json").toFile());
        JsonNode raw = expected.get("raw");
        Path dir = imported();
        try (TorchScriptEncoder encoder = ModelArtifact.loadTorchScript(dir, Device.cpu());
                NDManager m = SimClrEngine.get().newBaseManager(Device.cpu())) {
            assertThat(encoder.embeddingDim()).isEqualTo(16);
            NDArray x = m.create(fixedInput(2 * 3 * 32 * 32), new Shape(2, 3, 32, 32));
            float[] h = encoder.embed(x).toFloatArray();
            assertThat(h).hasSize(2 * 16);
            for (int i = 0; i < 2; i++) {
                for (int d = 0; d < 16; d++) {
                    assertThat((double) h[i * 16 + d])
                            .as("h[%d][%d]", i, d)
                            .isCloseTo(raw.get(i).get(d).asDouble(), org.assertj.core.data.Offset.offset(TOLERANCE));
                }
            }
            // A batch of another size runs too: the embedder's batches vary.
            assertThat(encoder.embed(m.zeros(new Shape(5, 3, 32, 32))).getShape()).isEqualTo(new Shape(5, 16));
        }
    }

    @Test
    void shouldRefuseAModuleThatReturnsAFeatureMap() throws IOException {
        Path dir = tmp.resolve("v-map");
        assertRefused(fixture("feature_map.pt"), 3, dir, RefusedEncoderException.Reason.WRONG_OUTPUT)
                .hasMessageContaining("the module returns shape (2, 10, 4, 4)")
                .hasMessageContaining("an encoder must return (N, D)");
        assertEmpty(dir);
    }

    @Test
    void shouldRefuseAStateDictAndAnyOtherFile() throws IOException {
        Path dir = tmp.resolve("v-state");
        assertRefused(fixture("state_dict.pt"), 3, dir, RefusedEncoderException.Reason.NOT_TORCHSCRIPT)
                .hasMessageContaining("state_dict.pt is not a TorchScript module");
        assertEmpty(dir);

        Path text = tmp.resolve("notes.pt");
        Files.writeString(text, "not a model at all\n");
        assertRefused(text, 3, tmp.resolve("v-text"), RefusedEncoderException.Reason.NOT_TORCHSCRIPT)
                .hasMessageContaining("notes.pt is not a TorchScript module");
    }

    @Test
    void shouldRefuseInputTheModuleCannotTake() throws IOException {
        Path dir = tmp.resolve("v-grey");
        assertRefused(fixture("encoder.pt"), 1, dir, RefusedEncoderException.Reason.FORWARD_FAILED)
                .hasMessageContaining("fails on a float input of shape (2, 1, 32, 32): RuntimeError: Given groups=1")
                .hasMessageContaining("to have 3 channels, but got 1 channels instead");
        assertEmpty(dir);
    }

    @Test
    void shouldRefuseBadArgumentsBeforeLoadingAnything() {
        Path pt = fixture("encoder.pt");
        assertThatThrownBy(() -> TorchScriptImport.importEncoder(pt, 4, 3, Normalization.centred(3), tmp.resolve("a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input size must be in [8, 1024], got: 4");
        assertThatThrownBy(() -> TorchScriptImport.importEncoder(pt, 32, 3, Normalization.centred(1), tmp.resolve("b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one mean and std per input channel (3)");
        assertThatThrownBy(() -> TorchScriptImport.importEncoder(pt, "../x.pt", 32, 3, Normalization.centred(3), tmp.resolve("c"),
                Clock.systemUTC())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../x.pt'");
        assertThatThrownBy(() -> Normalization.named("imagenet", 1)).hasMessageContaining("centred or none");
        assertThatThrownBy(() -> Normalization.named("zscore", 3)).hasMessageContaining("imagenet, centred or none, got: 'zscore'");
        assertThat(Normalization.named("none", 1)).isEqualTo(new Normalization(new float[] {0f}, new float[] {1f}));
        assertThatThrownBy(() -> TorchScriptImport.importEncoder(tmp.resolve("missing.pt"), 32, 3, Normalization.centred(3),
                tmp.resolve("d"))).isInstanceOf(ArtifactException.class).hasMessageContaining("no TorchScript file at");
    }

    @Test
    void shouldNotLoadAnImportedEncoderAsASimClrModelNorAsTorchScriptOnceChanged() throws IOException {
        Path dir = imported();
        ModelManifest m = ModelArtifact.readManifest(dir);
        assertThatThrownBy(m::encoderSpec).hasMessageContaining("no Planstream architecture");
        assertThatThrownBy(m::headSpec).hasMessageContaining("no projection head");
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> ModelArtifact.load(dir, manager))
                    .isInstanceOf(ArtifactException.class)
                    .hasMessageContaining("imported TorchScript encoder (encoder.pt), not a SimCLR model");
        }
        Files.write(dir.resolve("encoder.pt"), new byte[] {0}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> ModelArtifact.loadTorchScript(dir, Device.cpu()))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("encoder.pt in " + dir + " has SHA-256");
    }

    @Test
    void shouldRefuseAnInconsistentTorchScriptManifest() throws IOException {
        Path dir = imported();
        edit(dir, n -> n.putObject("projection_head").put("layers", 2).put("hidden_dim", 8).put("output_dim", 4)
                .put("batch_norm", true));
        assertThatThrownBy(() -> ModelArtifact.readManifest(dir)).hasMessageContaining("an imported TorchScript encoder has none");
        edit(dir, n -> n.putNull("projection_head").put("embedding_dim", 0));
        assertThatThrownBy(() -> ModelArtifact.readManifest(dir)).hasMessageContaining("embedding_dim must be in [1, 4096], got: 0");
        edit(dir, n -> n.put("embedding_dim", 17));
        assertThatThrownBy(() -> ModelArtifact.loadTorchScript(dir, Device.cpu()))
                .hasMessageContaining("says embedding_dim 17 but encoder.pt returns 16 dimensions");
    }

    private static void edit(Path dir, java.util.function.Consumer<ObjectNode> change) throws IOException {
        Path file = dir.resolve(ModelArtifact.MANIFEST);
        ObjectNode node = (ObjectNode) JSON.readTree(file.toFile());
        change.accept(node);
        JSON.writeValue(file.toFile(), node);
    }

    /** Imports {@code pt} as 32 px with {@code channels} channels, expecting a refusal for {@code reason}. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
            Path pt, int channels, Path dir, RefusedEncoderException.Reason reason) {
        return assertThatThrownBy(() -> TorchScriptImport.importEncoder(pt, 32, channels, Normalization.centred(channels), dir))
                .isInstanceOfSatisfying(RefusedEncoderException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private static void assertEmpty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).isEmpty();
            }
        }
    }
}
