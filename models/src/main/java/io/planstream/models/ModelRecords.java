package io.planstream.models;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.model.Normalization;

/** The models-topic record of a model artifact, as the trainer, the demo and an operator's import publish it. */
public final class ModelRecords {

    private ModelRecords() {
    }

    /**
     * The record of the artifact in {@code artifactDir}, a model trained here or an imported TorchScript
     * encoder, version and artifact URI left for the {@link io.planstream.models.ModelPublisher} to
     * fill in. Its hash is that of the parameter file the manifest names.
     *
     * @param parent the version it continued from, or null
     */
    public static ModelVersion template(Path artifactDir, Integer parent, Map<String, Double> metrics, String publisher)
            throws ArtifactException {
        ModelManifest manifest = ModelArtifact.readManifest(artifactDir);
        return ModelVersion.newBuilder()
                .setVersion(0)
                .setParent(parent)
                .setArchitecture(manifest.architecture())
                .setDimension(manifest.embeddingDim())
                .setInputSize(manifest.inputSize())
                .setArtifactUri("")
                .setArtifactSha256(ModelArtifact.sha256Hex(artifactDir.resolve(manifest.parametersFile())))
                .setManifest(Map.of("encoder", manifest.architecture(), "input_size", Integer.toString(manifest.inputSize()),
                        "channels", Integer.toString(manifest.inputChannels()),
                        "normalization", describe(manifest.normalizationSpec()),
                        "training_steps", Long.toString(manifest.trainingSteps())))
                .setMetrics(metrics)
                .setState(ModelState.PUBLISHED)
                .setCreatedTime(Instant.now())
                .setPublisher(publisher)
                .build();
    }

    /** {@code mean=0.485,0.456,0.406 std=0.229,0.224,0.225}: what a reader needs to feed the model. */
    static String describe(Normalization n) {
        return "mean=" + join(n.mean()) + " std=" + join(n.std());
    }

    private static String join(float[] values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ",").append(values[i]);
        }
        return b.toString();
    }
}
