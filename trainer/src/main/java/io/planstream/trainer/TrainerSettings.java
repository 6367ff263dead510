package io.planstream.trainer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import io.planstream.simclr.model.EncoderSpec;

/**
 * How the trainer samples the stream, when it trains, how, and what it takes to publish.
 *
 * @param workDir where each round's run (checkpoints, loss curve, candidate artifact) and the metrics plot go
 * @param bufferImages most images the training buffer holds
 * @param bufferBytes most pixel bytes the training buffer holds
 * @param sampling what the buffer keeps when full
 * @param minNewImages a round starts once this many images arrived since the last one (0: never by count)
 * @param interval a round starts this long after the last one where any image arrived (zero: no schedule)
 * @param epochs passes over the buffer's training part per round
 * @param batchSize images per step (2 views each)
 * @param policy augmentation policy ({@code floorplan}, {@code cifar}, {@code imagenet})
 * @param temperature NT-Xent's tau, for training and for the gate's held-out loss
 * @param maxRoundDuration a round's training stops after this long (what it learnt so far is evaluated)
 * @param heldOutFraction share of the buffer's image ids never trained on, on which candidates are judged
 * @param margin the {@link QualityGate}'s margin
 * @param labelKey image metadata field used as the class for kNN accuracy (empty: none)
 * @param firstEncoder the encoder a first model is trained as when the models topic has none
 * @param transactionalId the publisher's transactional id: every trainer of a deployment shares it, so
 *     a second one fences the first and two can never issue the same version
 * @param publisher the name recorded in each published version
 * @param device {@code auto}, {@code cpu} or {@code gpu}
 * @param seed seeds the buffer, the views and the gate's views
 */
public record TrainerSettings(Path workDir, int bufferImages, long bufferBytes, TrainingBuffer.Sampling sampling,
                              long minNewImages, Duration interval, int epochs, int batchSize, String policy,
                              float temperature, Duration maxRoundDuration, double heldOutFraction, double margin,
                              String labelKey, EncoderSpec firstEncoder, String transactionalId, String publisher,
                              String device, long seed) {

    public TrainerSettings {
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(firstEncoder, "firstEncoder");
        Objects.requireNonNull(maxRoundDuration, "maxRoundDuration");
        if (minNewImages < 0) {
            throw new IllegalArgumentException("min-new-images must be >= 0 (0: never by count), got " + minNewImages);
        }
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, got " + interval);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs per round must be >= 1, got " + epochs);
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be >= 2 (NT-Xent needs negatives), got " + batchSize);
        }
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + heldOutFraction);
        }
        if (transactionalId == null || transactionalId.isBlank()) {
            throw new IllegalArgumentException("the publisher's transactional id must be set");
        }
        // The gate checks its own range with its own message.
        new QualityGate(margin);
        labelKey = labelKey == null ? "" : labelKey.trim();
        policy = policy == null ? "floorplan" : policy;
        device = device == null ? "auto" : device;
        publisher = publisher == null || publisher.isBlank() ? "trainer" : publisher;
    }
}
