package io.planstream.simclr.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EncoderSpec SPEC = EncoderSpec.of("resnet-mini", 1, "small", 3, 16);

    @TempDir Path tmp;

    @BeforeAll
    static void engine() {
        SimClrEngine.get().setRandomSeed(3);
    }

    private static ArtifactInfo info() {
        return new ArtifactInfo(
                "v2", "v1", Normalization.centred(3), "synthetic:32", 40, Map.of("knn_top1", 0.42));
    }

    private Path saved(NDManager m) throws IOException {
        SimClrModel model = SimClrModel.builder().setEncoder(SPEC).optHead(ProjectionHeadSpec.v2()).build();
        model.initialize(m, DataType.FLOAT32, SPEC.inputShape(1));
        Path dir = tmp.resolve("model");
        ModelArtifact.save(dir, model, info());
        return dir;
    }

    private static void editManifest(Path dir, Consumer<ObjectNode> edit) throws IOException {
        Path file = dir.resolve(ModelArtifact.MANIFEST);
        ObjectNode node = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(node);
        JSON.writeValue(file.toFile(), node);
    }

    @Test
    void shouldRoundTripParametersAndManifest() throws IOException {
        Clock clock = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);
        try (NDManager m = NDManager.newBaseManager()) {
            SimClrModel model =
                    SimClrModel.builder().setEncoder(SPEC).optHead(ProjectionHeadSpec.v2()).build();
            model.initialize(m, DataType.FLOAT32, SPEC.inputShape(1));
            Path dir = tmp.resolve("model");
            ModelManifest written = ModelArtifact.save(dir, model, info(), clock);

            NDArray x = m.randomUniform(0, 1, SPEC.inputShape(4));
            NDList before = model.forward(new ParameterStore(m, false), new NDList(x), false);
            try (ModelArtifact loaded = ModelArtifact.load(dir, m)) {
                ModelManifest read = loaded.manifest();
                assertThat(read).isEqualTo(written);
                assertThat(read.architecture()).isEqualTo("resnet-mini");
                assertThat(read.embeddingDim()).isEqualTo(128);
                assertThat(read.projectionHead().hiddenDim()).isEqualTo(128);
                assertThat(read.created()).isEqualTo(Instant.parse("2025-01-02T03:04:05Z"));
                assertThat(read.parametersSha256())
                        .isEqualTo(ModelArtifact.sha256Hex(dir.resolve(ModelArtifact.PARAMETERS)));
                assertThat(read.metrics()).containsEntry("knn_top1", 0.42);
                assertThat(loaded.normalization()).isEqualTo(Normalization.centred(3));
                NDList after =
                        loaded.model().forward(new ParameterStore(m, false), new NDList(x), false);
                assertThat(after.get(0).toFloatArray()).containsExactly(before.get(0).toFloatArray());
                assertThat(after.get(1).toFloatArray()).containsExactly(before.get(1).toFloatArray());
            }
            String json = Files.readString(dir.resolve(ModelArtifact.MANIFEST));
            assertThat(json).contains("\"parameters_sha256\"", "\"embedding_dim\" : 128", "\"parent_version\" : \"v1\"");
        }
    }

    @Test
    void shouldRejectATamperedParameterFile() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            Path params = dir.resolve(ModelArtifact.PARAMETERS);
            byte[] bytes = Files.readAllBytes(params);
            bytes[bytes.length / 2] ^= 0x01;
            Files.write(params, bytes);
            assertThatThrownBy(() -> ModelArtifact.load(dir, m))
                    .isInstanceOf(ArtifactException.class)
                    .hasMessageContaining("SHA-256")
                    .hasMessageContaining("changed");
        }
    }

    @Test
    void shouldRejectAMissingManifestOrParameterFile() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            Files.delete(dir.resolve(ModelArtifact.PARAMETERS));
            assertThatThrownBy(() -> ModelArtifact.load(dir, m))
                    .hasMessageContaining(ModelArtifact.PARAMETERS)
                    .hasMessageContaining("missing");
            Files.delete(dir.resolve(ModelArtifact.MANIFEST));
            assertThatThrownBy(() -> ModelArtifact.load(dir, m))
                    .isInstanceOf(ArtifactException.class)
                    .hasMessageContaining("no manifest.json");
            assertThatThrownBy(() -> ModelArtifact.load(tmp.resolve("nowhere"), m))
                    .hasMessageContaining("not a directory");
        }
    }

    @Test
    void shouldRejectParametersOfAnotherWidth() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            // a manifest consistent in itself, but the file holds width-1 parameters
            editManifest(dir, n -> {
                n.put("width", 2);
                n.put("embedding_dim", 256);
                n.put("parameter_count", 0);
            });
            assertThatThrownBy(() -> ModelArtifact.load(dir, m))
                    .isInstanceOf(ArtifactException.class)
                    .hasMessageContaining("width 2")
                    .hasMessageContaining("needs (32, 3, 3, 3)");
        }
    }

    @Test
    void shouldRejectParametersOfAnotherArchitecture() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            editManifest(dir, n -> {
                n.put("architecture", "resnet18");
                n.put("embedding_dim", 512);
            });
            assertThatThrownBy(() -> ModelArtifact.load(dir, m))
                    .isInstanceOf(ArtifactException.class)
                    .hasMessageContaining("resnet18")
                    .hasMessageContaining("fit");
        }
    }

    @Test
    void shouldRejectAManifestThatContradictsItself() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            editManifest(dir, n -> n.put("embedding_dim", 64));
            assertThatThrownBy(() -> ModelArtifact.load(dir, m))
                    .hasMessageContaining("embedding_dim is 64 but resnet-mini at width 1 gives 128");
        }
    }

    @Test
    void shouldRejectUnknownKeysBadValuesAndNewerFormats() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            editManifest(dir, n -> n.put("learning_rate", 0.3));
            assertThatThrownBy(() -> ModelArtifact.readManifest(dir))
                    .hasMessageContaining("not a valid manifest")
                    .hasMessageContaining("learning_rate");
            editManifest(dir, n -> {
                n.remove("learning_rate");
                n.put("stem", "huge");
            });
            assertThatThrownBy(() -> ModelArtifact.readManifest(dir)).hasMessageContaining("stem");
            editManifest(dir, n -> {
                n.put("stem", "small");
                n.put("format_version", 2);
            });
            assertThatThrownBy(() -> ModelArtifact.readManifest(dir)).hasMessageContaining("format_version 2");
            editManifest(dir, n -> {
                n.put("format_version", 1);
                n.put("parameters_file", "../elsewhere.djl");
            });
            assertThatThrownBy(() -> ModelArtifact.readManifest(dir)).hasMessageContaining("parameters_file");
        }
    }

    @Test
    void shouldNeverOverwriteAnArtifact() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            SimClrModel model = SimClrModel.builder().setEncoder(SPEC).build();
            model.initialize(m, DataType.FLOAT32, SPEC.inputShape(1));
            assertThatThrownBy(() -> ModelArtifact.save(dir, model, info()))
                    .hasMessageContaining("not empty");
        }
    }
}
