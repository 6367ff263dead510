package io.planstream.simclr.artifact;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code manifest.json} says about a model artifact. Field names are snake_case in JSON.
 *
 * <p>Two kinds: a SimCLR model trained here (a ResNet encoder and its projection head in DJL's
 * format), and an encoder imported as TorchScript ({@link #TORCHSCRIPT}: the module file as it was
 * exported, no projection head, no width or stem; see {@link TorchScriptImport}).
 *
 * @param formatVersion the manifest format, {@link #FORMAT_VERSION}
 * @param architecture encoder name (resnet18, resnet34, resnet50, resnet-mini), or {@link #TORCHSCRIPT}
 * @param width width multiplier (1 for a TorchScript encoder)
 * @param stem small or imagenet; null for a TorchScript encoder
 * @param inputSize side of the input in pixels
 * @param inputChannels channels of the input
 * @param normalization per-channel mean and std applied to [0, 1] inputs
 * @param embeddingDim dimension of h
 * @param projectionHead the head g(.), hidden width resolved; null for a TorchScript encoder
 * @param version this model's version
 * @param parentVersion the version it was trained from; null for a model trained from scratch
 * @param trainingData a description of the data it was trained on
 * @param trainingSteps optimiser steps taken, parents' included
 * @param metrics evaluation results by name (e.g. knn_top1)
 * @param parametersFile the parameter file's name inside the artifact directory (the module's
 *     {@code .pt} file for a TorchScript encoder)
 * @param parametersSha256 SHA-256 of the parameter file, lowercase hex
 * @param parameterCount trainable scalars
 * @param created when the artifact was written
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelManifest(
        int formatVersion,
        String architecture,
        int width,
        String stem,
        int inputSize,
        int inputChannels,
        Normalization normalization,
        int embeddingDim,
        HeadJson projectionHead,
        String version,
        String parentVersion,
        String trainingData,
        long trainingSteps,
        Map<String, Double> metrics,
        String parametersFile,
        String parametersSha256,
        long parameterCount,
        Instant created) {

    public static final int FORMAT_VERSION = 1;

    /** The architecture of an imported TorchScript encoder. */
    public static final String TORCHSCRIPT = "torchscript";

    /** JSON form of {@link ProjectionHeadSpec}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record HeadJson(int layers, int hiddenDim, int outputDim, boolean batchNorm) {}

    public ModelManifest {
        metrics = metrics == null ? Map.of() : new TreeMap<>(metrics);
    }

    /** @return whether this is an imported TorchScript encoder rather than a Planstream ResNet */
    @JsonIgnore
    public boolean isTorchScript() {
        return TORCHSCRIPT.equals(architecture);
    }

    /**
     * @return the ResNet this manifest describes; throws naming the bad field, or saying that a
     *     TorchScript encoder has none (callers that need only the input and the dimension read
     *     {@link #inputSize()}, {@link #inputChannels()} and {@link #embeddingDim()})
     */
    public EncoderSpec encoderSpec() {
        if (isTorchScript()) {
            throw new IllegalArgumentException(
                    "an imported TorchScript encoder has no Planstream architecture to rebuild");
        }
        return EncoderSpec.of(architecture, width, stem, inputChannels, inputSize);
    }

    /** @return the projection head; throws naming the bad field */
    public ProjectionHeadSpec headSpec() {
        if (isTorchScript()) {
            throw new IllegalArgumentException(
                    "an imported TorchScript encoder has no projection head");
        }
        if (projectionHead == null) {
            throw new IllegalArgumentException("projection_head is missing");
        }
        return new ProjectionHeadSpec(
                projectionHead.layers(),
                projectionHead.hiddenDim(),
                projectionHead.outputDim(),
                projectionHead.batchNorm());
    }

    /** @return the normalisation; throws naming the bad field */
    public Normalization normalizationSpec() {
        if (normalization == null) {
            throw new IllegalArgumentException("normalization is missing");
        }
        return normalization;
    }
}
