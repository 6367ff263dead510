package io.planstream.simclr.artifact;

import io.planstream.simclr.model.Normalization;
import java.util.Map;

/**
 * What the caller knows about a model that its parameters do not say.
 *
 * @param version this model's version (non-blank)
 * @param parentVersion the version it continued from, or null
 * @param normalization how inputs are normalised
 * @param trainingData what it was trained on
 * @param trainingSteps optimiser steps, parents' included
 * @param metrics evaluation results by name; may be empty
 */
public record ArtifactInfo(
        String version,
        String parentVersion,
        Normalization normalization,
        String trainingData,
        long trainingSteps,
        Map<String, Double> metrics) {

    public ArtifactInfo {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("version must be set");
        }
        if (normalization == null) {
            throw new IllegalArgumentException("normalization must be set");
        }
        if (trainingSteps < 0) {
            throw new IllegalArgumentException("trainingSteps must be >= 0, got: " + trainingSteps);
        }
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException(
                        "metric " + e.getKey() + " must be finite, got: " + e.getValue());
            }
        }
    }
}
