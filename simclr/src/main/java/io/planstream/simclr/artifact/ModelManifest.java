package io.planstream.simclr.artifact;

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
 * @param formatVersion the manifest format, {@link #FORMAT_VERSION}
 * @param architecture encoder name (resnet18, resnet34, resnet50, resnet-mini)
 * @param width width multiplier
 * @param stem small or imagenet
 * @param inputSize side of the input in pixels
 * @param inputChannels channels of the input
 * @param normalization per-channel mean and std applied to [0, 1] inputs
 * @param embeddingDim dimension of h
 * @param projectionHead the head g(.), hidden width resolved
 * @param version this model's version
 * @param parentVersion the version it was trained from; null for a model trained from scratch
 * @param trainingData a description of the data it was trained on
 * @param trainingSteps optimiser steps taken, parents' included
 * @param metrics evaluation results by name (e.g. knn_top1)
 * @param parametersFile the parameter file's name inside the artifact directory
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

    /** JSON form of {@link ProjectionHeadSpec}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record HeadJson(int layers, int hiddenDim, int outputDim, boolean batchNorm) {}

    public ModelManifest {
        metrics = metrics == null ? Map.of() : new TreeMap<>(metrics);
    }

    /** @return the encoder this manifest describes; throws naming the bad field */
    public EncoderSpec encoderSpec() {
        return EncoderSpec.of(architecture, width, stem, inputChannels, inputSize);
    }

    /** @return the projection head; throws naming the bad field */
    public ProjectionHeadSpec headSpec() {
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
