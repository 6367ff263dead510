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
 *
 * <p>Build one with {@link #builder()}: the work folder is required, everything else has the default named
 * by a {@code DEFAULT_} constant here (compile-time constants, so that a configuration mapping's defaults
 * can name them).
 */
public record TrainerSettings(Path workDir, int bufferImages, long bufferBytes, TrainingBuffer.Sampling sampling,
                              long minNewImages, Duration interval, int epochs, int batchSize, String policy,
                              float temperature, Duration maxRoundDuration, double heldOutFraction, double margin,
                              String labelKey, EncoderSpec firstEncoder, String transactionalId, String publisher,
                              String device, long seed) {

    public static final int DEFAULT_BUFFER_IMAGES = 10_000;
    /** 512 MiB of pixels. */
    public static final long DEFAULT_BUFFER_BYTES = 512L * 1024 * 1024;
    public static final String DEFAULT_SAMPLING = "reservoir";
    public static final long DEFAULT_MIN_NEW_IMAGES = 1000;
    /** No schedule: rounds start by count alone. */
    public static final long DEFAULT_INTERVAL_SECONDS = 0;
    public static final int DEFAULT_EPOCHS = 5;
    public static final int DEFAULT_BATCH_SIZE = 64;
    public static final String DEFAULT_POLICY = "floorplan";
    public static final float DEFAULT_TEMPERATURE = 0.5f;
    public static final long DEFAULT_MAX_ROUND_MINUTES = 30;
    public static final double DEFAULT_HELD_OUT_FRACTION = 0.2;
    public static final double DEFAULT_MARGIN = 0.0;
    /** RPLAN uploads carry their room count under this key. */
    public static final String DEFAULT_LABEL_KEY = "rooms.total";
    public static final String DEFAULT_FIRST_ENCODER = "resnet-mini";
    public static final int DEFAULT_FIRST_ENCODER_SIZE = 64;
    public static final String DEFAULT_TRANSACTIONAL_ID = "planstream-trainer";
    public static final String DEFAULT_PUBLISHER = "trainer";
    public static final String DEFAULT_DEVICE = "auto";
    public static final long DEFAULT_SEED = 1;

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
        policy = policy == null ? DEFAULT_POLICY : policy;
        device = device == null ? DEFAULT_DEVICE : device;
        publisher = publisher == null || publisher.isBlank() ? DEFAULT_PUBLISHER : publisher;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link TrainerSettings}: {@code setWorkDir} is required, every {@code opt} has the default above. */
    public static final class Builder {

        private Path workDir;
        private int bufferImages = DEFAULT_BUFFER_IMAGES;
        private long bufferBytes = DEFAULT_BUFFER_BYTES;
        private TrainingBuffer.Sampling sampling = TrainingBuffer.Sampling.parse(DEFAULT_SAMPLING);
        private long minNewImages = DEFAULT_MIN_NEW_IMAGES;
        private Duration interval = Duration.ofSeconds(DEFAULT_INTERVAL_SECONDS);
        private int epochs = DEFAULT_EPOCHS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private String policy = DEFAULT_POLICY;
        private float temperature = DEFAULT_TEMPERATURE;
        private Duration maxRoundDuration = Duration.ofMinutes(DEFAULT_MAX_ROUND_MINUTES);
        private double heldOutFraction = DEFAULT_HELD_OUT_FRACTION;
        private double margin = DEFAULT_MARGIN;
        private String labelKey = DEFAULT_LABEL_KEY;
        private EncoderSpec firstEncoder;
        private String transactionalId = DEFAULT_TRANSACTIONAL_ID;
        private String publisher = DEFAULT_PUBLISHER;
        private String device = DEFAULT_DEVICE;
        private long seed = DEFAULT_SEED;

        private Builder() {
        }

        public Builder setWorkDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        public Builder optBufferImages(int bufferImages) {
            this.bufferImages = bufferImages;
            return this;
        }

        public Builder optBufferBytes(long bufferBytes) {
            this.bufferBytes = bufferBytes;
            return this;
        }

        public Builder optSampling(TrainingBuffer.Sampling sampling) {
            this.sampling = sampling;
            return this;
        }

        public Builder optMinNewImages(long minNewImages) {
            this.minNewImages = minNewImages;
            return this;
        }

        public Builder optInterval(Duration interval) {
            this.interval = interval;
            return this;
        }

        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder optPolicy(String policy) {
            this.policy = policy;
            return this;
        }

        public Builder optTemperature(float temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder optMaxRoundDuration(Duration maxRoundDuration) {
            this.maxRoundDuration = maxRoundDuration;
            return this;
        }

        public Builder optHeldOutFraction(double heldOutFraction) {
            this.heldOutFraction = heldOutFraction;
            return this;
        }

        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /** Empty: no class, and no kNN accuracy at the gate. */
        public Builder optLabelKey(String labelKey) {
            this.labelKey = labelKey;
            return this;
        }

        /** Default: {@link #DEFAULT_FIRST_ENCODER} at {@link #DEFAULT_FIRST_ENCODER_SIZE} pixels, 3 channels. */
        public Builder optFirstEncoder(EncoderSpec firstEncoder) {
            this.firstEncoder = firstEncoder;
            return this;
        }

        public Builder optTransactionalId(String transactionalId) {
            this.transactionalId = transactionalId;
            return this;
        }

        public Builder optPublisher(String publisher) {
            this.publisher = publisher;
            return this;
        }

        public Builder optDevice(String device) {
            this.device = device;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting that is out of range, or the missing work folder */
        public TrainerSettings build() {
            if (workDir == null) {
                throw new IllegalArgumentException("the trainer's work folder must be set (setWorkDir)");
            }
            EncoderSpec first = firstEncoder != null ? firstEncoder
                    : EncoderSpec.of(DEFAULT_FIRST_ENCODER, 3, DEFAULT_FIRST_ENCODER_SIZE);
            return new TrainerSettings(workDir, bufferImages, bufferBytes, sampling, minNewImages, interval, epochs, batchSize,
                    policy, temperature, maxRoundDuration, heldOutFraction, margin, labelKey, first, transactionalId, publisher,
                    device, seed);
        }
    }
}
