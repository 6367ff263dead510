package io.planstream.trainer;

import java.nio.file.Path;
import java.util.List;
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
 * held-out image has a label, leave-one-out kNN top-1, and where every one has its room programme, the
 * retrieval protocol (mAP@10, P@10, nDCG@10 and the AUC of relevant against irrelevant pairs).
 */
final class Evaluation {

    private Evaluation() {
    }

    static Map<String, Double> metrics(Path artifactDir, ImageDataset heldOut, List<Map<String, Integer>> programmes,
                                       TrainerSettings settings) throws ArtifactException {
        int size = ModelArtifact.readManifest(artifactDir).inputSize();
        RepresentationQuality.Options options = new RepresentationQuality.Options(AugmentationPolicy.named(settings.policy(), size),
                settings.temperature(), Math.min(RepresentationQuality.DEFAULT_BATCH, settings.batchSize()), settings.seed(),
                io.planstream.simclr.eval.KnnEvaluation.Options.defaults());
        try (NDManager manager = SimClrEngine.get().newBaseManager(Devices.choose(settings.device()))) {
            return RepresentationQuality.evaluate(artifactDir, heldOut, programmes, options, manager).metrics();
        }
    }
}
