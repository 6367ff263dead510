package io.planstream.simclr.train;

import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.augment.AugmentationPolicy;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ProjectionHeadSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Everything a SimCLR pretraining run needs, checked on construction so that a run never starts
 * with a setting it would trip over later. Build it with {@link #builder()}.
 *
 * @param data the data source as {@link io.planstream.simclr.data.DataSources#open} takes it
 *     ({@code fashion-mnist}, {@code fashion-mnist:DIR}, a CIFAR-10 binary folder, a picture folder)
 * @param encoder the encoder f(.); its input size is the size of the augmented views
 * @param head the projection head g(.); SimCLR v1's by default
 * @param policy augmentation policy name: {@code cifar}, {@code imagenet} or {@code floorplan}
 * @param colorStrength colour-distortion strength s in [0, 1.25], or null for the policy's own
 * @param cropScaleMin the smallest crop's area as a fraction of the image, in (0, 1], or null for the
 *     policy's own (cifar and imagenet 0.08, floorplan 0.2)
 *     (cifar 0.5, imagenet 1.0; floorplan has no colour distortion)
 * @param epochs passes over the data; with the batch size they fix the learning-rate schedule
 * @param batchSize images per step (2 views each), in [2, {@value #MAX_BATCH}]
 * @param optimizer LARS or Adam, rate, decay, warm-up
 * @param temperature NT-Xent's tau; 0.5 as in SimCLR's CIFAR-10 runs, which suits small data sets
 * @param seed seeds weight initialisation (unless the run continues a model), the order of the
 *     images and every augmentation
 * @param device {@code auto}, {@code cpu} or {@code gpu}
 * @param outputDir where checkpoints, the final model, the CSV and the plot go
 * @param checkpointEvery how often to save a checkpoint
 * @param maxSteps stop after this many steps of the whole run (0: no limit); the schedule still
 *     spans all epochs, so a stopped run can be resumed
 * @param maxDuration stop when this invocation has run this long (null: no limit); resumable
 * @param maxCpuTime stop when this invocation's training has used this much CPU time, user and system over all
 *     threads, counted from its first step (null: no limit); resumable. A budget that does not depend on how
 *     many cores the machine lent the run, as the PyTorch reference's {@code --cpu-minutes}
 * @param limit train on a seeded random subset of this many images (0: all)
 * @param resume continue from the latest checkpoint in {@code outputDir/checkpoints}
 * @param embedding the transform fitted on the features of the training images (a seeded sample of at most
 *     {@link Pretrainer#TRANSFORM_SAMPLE}) when the final model is saved, and saved with it: its embeddings are
 *     served under it ({@link EmbeddingTransform}); raw for none
 * @param initFrom a model artifact directory to continue pretraining from, or null to start from
 *     a seeded initialisation. Its encoder and projection head must be the configured ones; a new
 *     run loads all their parameters (after checking the artifact's SHA-256), feeds the network
 *     with the parent's normalisation, and saves models whose manifest names the parent's version
 *     and counts the parent's training steps in its own. A resumed run takes all of that from its
 *     checkpoint and only checks that this is the same parent. The optimiser, schedule and warm-up
 *     start afresh, as in any new run.
 */
public record PretrainConfig(
        String data,
        EncoderSpec encoder,
        ProjectionHeadSpec head,
        String policy,
        Double colorStrength,
        Double cropScaleMin,
        int epochs,
        int batchSize,
        OptimizerSettings optimizer,
        float temperature,
        long seed,
        String device,
        Path outputDir,
        CheckpointInterval checkpointEvery,
        long maxSteps,
        Duration maxDuration,
        Duration maxCpuTime,
        int limit,
        boolean resume,
        Path initFrom,
        EmbeddingTransform.Spec embedding) {

    public static final String DEFAULT_POLICY = "cifar";
    /** SimCLR's temperature for CIFAR-10 (its ImageNet runs used 0.1 with far larger batches). */
    public static final float DEFAULT_TEMPERATURE = 0.5f;
    public static final long DEFAULT_SEED = 1;
    /** SimCLR's largest batch; beyond it the 2N x 2N similarity matrix alone is 1 GB. */
    public static final int MAX_BATCH = 8192;
    public static final int MAX_EPOCHS = 10_000;
    public static final float MAX_TEMPERATURE = 10f;
    private static final Set<String> DEVICES = Set.of("auto", "cpu", "gpu");

    public PretrainConfig {
        if (data == null || data.isBlank()) {
            throw new IllegalArgumentException("data source must be set");
        }
        if (encoder == null) {
            throw new IllegalArgumentException("encoder must be set");
        }
        if (head == null) {
            throw new IllegalArgumentException("projection head must be set");
        }
        if (epochs < 1 || epochs > MAX_EPOCHS) {
            throw new IllegalArgumentException("epochs must be in [1, " + MAX_EPOCHS + "], got: " + epochs);
        }
        if (batchSize < 2 || batchSize > MAX_BATCH) {
            throw new IllegalArgumentException(
                    "batch size must be in [2, " + MAX_BATCH + "] (NT-Xent needs negatives), got: " + batchSize);
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must be set");
        }
        if (!(temperature > 0 && temperature <= MAX_TEMPERATURE)) {
            throw new IllegalArgumentException(
                    "temperature must be in (0, " + MAX_TEMPERATURE + "], got: " + temperature);
        }
        device = device == null ? "auto" : device.trim().toLowerCase(Locale.ROOT);
        if (!DEVICES.contains(device)) {
            throw new IllegalArgumentException("device must be auto, cpu or gpu, got: " + device);
        }
        if (outputDir == null) {
            throw new IllegalArgumentException("output directory must be set");
        }
        if (checkpointEvery == null) {
            throw new IllegalArgumentException("checkpoint interval must be set");
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("max steps must be >= 0 (0: no limit), got: " + maxSteps);
        }
        if (maxDuration != null && (maxDuration.isNegative() || maxDuration.isZero())) {
            throw new IllegalArgumentException("max duration must be positive, got: " + maxDuration);
        }
        if (maxCpuTime != null && (maxCpuTime.isNegative() || maxCpuTime.isZero())) {
            throw new IllegalArgumentException("max CPU time must be positive, got: " + maxCpuTime);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0: all images), got: " + limit);
        }
        embedding = embedding == null ? EmbeddingTransform.Spec.DEFAULT : embedding;
        policy = policy == null ? DEFAULT_POLICY : policy.trim().toLowerCase(Locale.ROOT);
        // Resolving the policy checks its name, the strength and the crop scale, with their own messages.
        augmentation(policy, colorStrength, cropScaleMin, encoder.inputSize());
    }

    /** @return a builder; data, encoder, epochs, batch size and output directory are required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the augmentation policy, producing views of the encoder's input size */
    public AugmentationPolicy augmentation() {
        return augmentation(policy, colorStrength, cropScaleMin, encoder.inputSize());
    }

    private static AugmentationPolicy augmentation(String policy, Double strength, Double cropScaleMin, int size) {
        AugmentationPolicy p = AugmentationPolicy.named(policy, size);
        p = strength == null ? p : p.withColorStrength(strength);
        if (cropScaleMin != null && !(cropScaleMin > 0 && cropScaleMin <= p.cropScaleMax())) {
            throw new IllegalArgumentException("the smallest crop scale must be in (0, " + p.cropScaleMax() + "], got: " + cropScaleMin);
        }
        return cropScaleMin == null ? p : p.withCrop(cropScaleMin, p.cropScaleMax(), p.cropRatioMin(), p.cropRatioMax());
    }

    /** Builds a {@link PretrainConfig}. */
    public static final class Builder {
        private String data;
        private EncoderSpec encoder;
        private ProjectionHeadSpec head = ProjectionHeadSpec.v1();
        private String policy = DEFAULT_POLICY;
        private Double colorStrength;
        private Double cropScaleMin;
        private int epochs;
        private int batchSize;
        private OptimizerSettings optimizer = OptimizerSettings.lars();
        private float temperature = DEFAULT_TEMPERATURE;
        private long seed = DEFAULT_SEED;
        private String device = "auto";
        private Path outputDir;
        private CheckpointInterval checkpointEvery = CheckpointInterval.epochs(1);
        private long maxSteps;
        private Duration maxDuration;
        private Duration maxCpuTime;
        private int limit;
        private boolean resume;
        private Path initFrom;
        private EmbeddingTransform.Spec embedding = EmbeddingTransform.Spec.DEFAULT;

        private Builder() {}

        public Builder setData(String data) {
            this.data = data;
            return this;
        }

        public Builder setEncoder(EncoderSpec encoder) {
            this.encoder = encoder;
            return this;
        }

        public Builder setEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder setOutputDir(Path outputDir) {
            this.outputDir = outputDir;
            return this;
        }

        /** @param head default SimCLR v1's 2-layer MLP to 128 */
        public Builder optHead(ProjectionHeadSpec head) {
            this.head = head;
            return this;
        }

        /** @param policy cifar (default), imagenet or floorplan */
        public Builder optPolicy(String policy) {
            this.policy = policy;
            return this;
        }

        /** @param scale the smallest crop's area as a fraction of the image; null (default) keeps the policy's */
        public Builder optCropScaleMin(Double scale) {
            this.cropScaleMin = scale;
            return this;
        }

        /** @param strength colour-distortion strength; null (default) keeps the policy's */
        public Builder optColorStrength(Double strength) {
            this.colorStrength = strength;
            return this;
        }

        /** @param optimizer default LARS at 0.3 x batch / 256 */
        public Builder optOptimizer(OptimizerSettings optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** @param temperature default 0.5 */
        public Builder optTemperature(float temperature) {
            this.temperature = temperature;
            return this;
        }

        /** @param seed default 1 */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param device auto (default), cpu or gpu */
        public Builder optDevice(String device) {
            this.device = device;
            return this;
        }

        /** @param interval default every epoch */
        public Builder optCheckpointEvery(CheckpointInterval interval) {
            this.checkpointEvery = interval;
            return this;
        }

        /** @param maxSteps stop the whole run after this many steps; 0 (default) for no limit */
        public Builder optMaxSteps(long maxSteps) {
            this.maxSteps = maxSteps;
            return this;
        }

        /** @param maxDuration stop this invocation after this long; null (default) for no limit */
        public Builder optMaxDuration(Duration maxDuration) {
            this.maxDuration = maxDuration;
            return this;
        }

        /** @param maxCpuTime stop this invocation once its training has used this much CPU time; null (default) for no limit */
        public Builder optMaxCpuTime(Duration maxCpuTime) {
            this.maxCpuTime = maxCpuTime;
            return this;
        }

        /** @param limit images to train on; 0 (default) for all */
        public Builder optLimit(int limit) {
            this.limit = limit;
            return this;
        }

        /** @param resume continue from the latest checkpoint; default false */
        public Builder optResume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /** @param initFrom a model artifact to continue; null (default) starts from scratch */
        public Builder optInitFrom(Path initFrom) {
            this.initFrom = initFrom;
            return this;
        }

        /**
         * @param embedding the transform fitted on the training images' features when the model is saved, which its
         *     embeddings are served with; raw for none (default: centre)
         */
        public Builder optEmbedding(EmbeddingTransform.Spec embedding) {
            this.embedding = embedding;
            return this;
        }

        public PretrainConfig build() {
            return new PretrainConfig(
                    data, encoder, head, policy, colorStrength, cropScaleMin, epochs, batchSize, optimizer,
                    temperature, seed, device, outputDir, checkpointEvery, maxSteps, maxDuration, maxCpuTime,
                    limit, resume, initFrom, embedding);
        }
    }
}
