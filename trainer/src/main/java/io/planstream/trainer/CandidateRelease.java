package io.planstream.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.planstream.avro.ModelVersion;
import io.planstream.models.ModelPublisher;
import io.planstream.models.ModelRecords;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.data.ImageDataset;

/**
 * The end of a round: the candidate measured against the target on the held-out images, judged by the
 * {@link QualityGate}, and published as the next version through the artifacts topic where the gate lets it.
 */
final class CandidateRelease implements AutoCloseable {

    /**
     * What the gate made of a candidate.
     *
     * @param current the target's metrics; empty without a target, or where the candidate could not be measured
     * @param candidate the candidate's metrics; empty where it could not be measured
     * @param publish whether the candidate may be published
     * @param reason why, in words
     */
    record Judgement(Map<String, Double> current, Map<String, Double> candidate, boolean publish, String reason) {
    }

    private final TrainerSettings settings;
    private final QualityGate gate;
    private ModelPublisher publisher;

    CandidateRelease(TrainerSettings settings) {
        this.settings = settings;
        this.gate = new QualityGate(settings.margin());
    }

    /** Takes the publisher's transactional id, fencing any other trainer that holds it. */
    void open(KafkaPlatform platform) {
        publisher = new ModelPublisher(platform, settings.transactionalId());
    }

    /**
     * Measures the candidate, and the target where there is one ({@code parentDir} not null), on {@code heldOut}, with
     * the retrieval protocol where {@code programmes} (one per held-out image, or null) are known.
     */
    Judgement judge(Path candidateDir, Path parentDir, ImageDataset heldOut, List<Map<String, Integer>> programmes)
            throws ArtifactException {
        Map<String, Double> candidate;
        try {
            candidate = Evaluation.metrics(candidateDir, heldOut, programmes, settings);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // A candidate whose outputs are not finite cannot be measured: it is not published.
            return new Judgement(Map.of(), Map.of(), false, "the candidate cannot be evaluated: " + e.getMessage());
        }
        Map<String, Double> current = Map.of();
        if (parentDir != null) {
            current = Evaluation.metrics(parentDir, heldOut, programmes, settings);
        }
        QualityGate.Decision decision = gate.decide(parentDir == null ? null : current, candidate);
        return new Judgement(current, candidate, decision.publish(), decision.reason());
    }

    /** Publishes a candidate the gate let through, with the round's figures among its metrics. */
    ModelVersion publish(Path artifact, Integer parent, Map<String, Double> candidate, int trainImages, long steps)
            throws IOException {
        Map<String, Double> published = new HashMap<>(candidate);
        published.put("train_images", (double) trainImages);
        published.put("round_steps", (double) steps);
        return publisher.publish(artifact, ModelRecords.template(artifact, parent, published, settings.publisher()));
    }

    @Override
    public void close() {
        if (publisher != null) {
            publisher.close();
        }
    }
}
