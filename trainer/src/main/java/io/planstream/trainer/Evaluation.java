package io.planstream.trainer;

import java.nio.file.Path;
import java.util.Map;

import ai.djl.ndarray.NDManager;

import io.planstream.simclr.Devices;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.augment.AugmentationPolicy;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.eval.RepresentationQuality;

/**
 * The gate's measurements of one model on the held-out images: held-out NT-Xent on seeded views
 * (the same views for the current model and the candidate), alignment, uniformity and, where every
 * held-out image has a label, leave-one-out kNN top-1.
 */
final class Evaluation {

    private Evaluation() {
    }

    static Map<String, Double> metrics(Path artifactDir, ImageDataset heldOut, TrainerSettings settings) throws ArtifactException {
        int size = ModelArtifact.readManifest(artifactDir).inputSize();
        RepresentationQuality.Options options = new RepresentationQuality.Options(AugmentationPolicy.named(settings.policy(), size),
                settings.temperature(), Math.min(RepresentationQuality.DEFAULT_BATCH, settings.batchSize()), settings.seed(),
                io.planstream.simclr.eval.KnnEvaluation.Options.defaults());
        try (NDManager manager = SimClrEngine.get().newBaseManager(Devices.choose(settings.device()))) {
            return RepresentationQuality.evaluate(artifactDir, heldOut, options, manager).metrics();
        }
    }
}
