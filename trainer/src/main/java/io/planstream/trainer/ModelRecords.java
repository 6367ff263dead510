package io.planstream.trainer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.model.EncoderSpec;

/** The models-topic record of a model artifact, as the trainer, the demo and an operator's import publish it. */
public final class ModelRecords {

    private ModelRecords() {
    }

    /**
     * The record of the artifact in {@code artifactDir}, version and artifact URI left for the
     * {@link io.planstream.kafka.artifacts.ModelPublisher} to fill in.
     *
     * @param parent the version it continued from, or null
     */
    public static ModelVersion template(Path artifactDir, Integer parent, Map<String, Double> metrics, String publisher)
            throws ArtifactException {
        ModelManifest manifest = ModelArtifact.readManifest(artifactDir);
        EncoderSpec spec = manifest.encoderSpec();
        return ModelVersion.newBuilder()
                .setVersion(0)
                .setParent(parent)
                .setArchitecture(spec.name())
                .setDimension(spec.embeddingDim())
                .setInputSize(spec.inputSize())
                .setArtifactUri("")
                .setArtifactSha256(ModelArtifact.sha256Hex(artifactDir.resolve(ModelArtifact.PARAMETERS)))
                .setManifest(Map.of("encoder", spec.name(), "input_size", Integer.toString(spec.inputSize()),
                        "channels", Integer.toString(spec.inputChannels()),
                        "training_steps", Long.toString(manifest.trainingSteps())))
                .setMetrics(metrics)
                .setState(ModelState.PUBLISHED)
                .setCreatedTime(Instant.now())
                .setPublisher(publisher)
                .build();
    }
}
