package io.planstream.simclr.train;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.planstream.simclr.Devices;
import io.planstream.simclr.Permutations;
import io.planstream.simclr.ProcessCpu;
import io.planstream.simclr.ResidentMemory;
import io.planstream.simclr.Seeds;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.augment.BatchAugmenter;
import io.planstream.simclr.data.DataSources;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.Split;
import io.planstream.simclr.eval.FeatureExtractor;
import io.planstream.simclr.eval.FrozenEncoder;
import io.planstream.simclr.loss.NtXentLoss;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;
import io.planstream.simclr.optim.OptimizerSpec;
import io.planstream.simclr.optim.WarmupCosineSchedule;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * SimCLR pretraining (Chen et al., "A Simple Framework for Contrastive Learning of Visual
 * Representations", ICML 2020, algorithm 1): for each batch, two augmented views of every image go
 * through f(.) and g(.) together, NT-Xent on the 2N projections, one optimiser step.
 *
 * <p>A thin entry point: {@link #run(PretrainConfig, ProgressListener)} does the whole run and
 * returns what it did. Everything lands in the configured output folder:
 *
 * <pre>
 *   checkpoints/step-NNNNNNNN/   model artifact + checkpoint.json, the last {@value #KEEP_CHECKPOINTS} kept
 *   model/                       the final model artifact (manifest: data, steps, final loss)
 *   history.csv                  step, epoch, loss, lr, images_per_s, live_arrays, rss_mb
 *   memory.png                   resident memory and live NDArrays per step
 *   loss.png                     the loss curve
 * </pre>
 *
 * <p>Every step works in its own sub-manager of the trainer's, closed at the end of the step, so
 * no array outlives its step and memory stays flat however long the run. An epoch is the data set
 * in a seeded random order, cut into full batches (the last partial batch is dropped: batch norm
 * and NT-Xent want equal batches). See {@link Checkpoint} for what a resume restores.
 *
 * <p>A run can continue an earlier model ({@link PretrainConfig#initFrom()}): it starts from that
 * model's f(.) and g(.) instead of a seeded initialisation, keeps its normalisation, and the models
 * it saves name it as their parent and count its steps in their own.
 *
 * <p>This class plans a run, checks it against a checkpoint or a parent ({@link RunDifferences}) and
 * runs the steps; {@link RunFiles} writes the output folder.
 */
public final class Pretrainer {

    public static final String CHECKPOINTS = "checkpoints";
    public static final String MODEL = "model";
    /** Older checkpoints are deleted; a ResNet-50 checkpoint is about 100 MB. */
    public static final int KEEP_CHECKPOINTS = 3;

    /** Most training images whose features an embedding transform is fitted on: a mean of 4,096 is steady. */
    public static final int TRANSFORM_SAMPLE = 4096;

    private static final long SUBSET_STREAM = 1;
    private static final long SHUFFLE_STREAM = 2;
    private static final long AUGMENT_STREAM = 3;
    private static final long TRANSFORM_STREAM = 4;
    private static final DateTimeFormatter RUN_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Pretrainer() {}

    /**
     * Opens the configured data source (training split) and runs.
     *
     * @throws PretrainSetupException before the first step, when the run cannot start as
     *     configured
     * @throws IOException when the data, a checkpoint or an output cannot be read or written
     */
    public static PretrainResult run(PretrainConfig config, ProgressListener listener) throws IOException {
        EncoderSpec spec = config.encoder();
        ImageDataset data = DataSources.open(config.data(), Split.TRAIN, spec.inputSize(), spec.inputChannels());
        return run(config, data, listener);
    }

    /**
     * Runs on images already in memory; {@code config.data()} is then only a description.
     *
     * @param config the run
     * @param dataset the training images; any size (the augmentation resizes crops to the encoder's
     *     input), the encoder's channels or grey for a 3-channel encoder
     * @param listener told about the plan, every step and every checkpoint
     * @return what the run did
     * @throws PretrainSetupException before the first step, when the run cannot start as
     *     configured
     * @throws IOException when a checkpoint or an output cannot be read or written
     */
    public static PretrainResult run(PretrainConfig config, ImageDataset dataset, ProgressListener listener)
            throws IOException {
        return new Session(config, dataset, listener == null ? ProgressListener.NONE : listener).run();
    }

    /** One invocation of a run: the plan, the loop, and the files. */
    private static final class Session {
        private final PretrainConfig config;
        private final ProgressListener listener;
        private final ImageDataset data;
        private final String dataDescription;
        private final EncoderSpec spec;
        private final int batch;
        private final int stepsPerEpoch;
        private final int totalSteps;
        private final OptimizerSpec optimizerSpec;
        private final WarmupCosineSchedule schedule;
        private final ProjectionHeadSpec head;
        private final RunFiles files;
        private final Instant started = Instant.now();
        private final long startNanos = System.nanoTime();
        private String runId;
        private int firstStep;
        private Path resumedFrom;
        private double stepSeconds;
        /** The process's CPU time when this invocation's first step began (-1: not known, or not begun). */
        private long cpuAtFirstStep = -1;
        /** CPU time from the first step to the end of the last; null where the JVM cannot tell. */
        private Duration stepsCpu;
        /** Inputs as the saved models will expect them: centred, or the parent model's. */
        private Normalization normalization;
        /** The version this run continues, or null for a run from scratch. */
        private String parentVersion;
        /** Steps behind the parent model, counted in the saved models' training steps. */
        private long parentSteps;

        Session(PretrainConfig config, ImageDataset dataset, ProgressListener listener) {
            this.config = config;
            this.listener = listener;
            this.spec = config.encoder();
            this.batch = config.batchSize();
            int available = dataset.size();
            this.data = subset(dataset, config.limit(), config.seed(), SUBSET_STREAM);
            this.dataDescription = data.name()
                    + (data.size() < available
                            ? " (" + data.size() + " of " + available + " images, seed " + config.seed() + ")"
                            : " (" + data.size() + " images)");
            if (data.channels() != spec.inputChannels()
                    && !(data.channels() == 1 && spec.inputChannels() == 3)) {
                throw new PretrainSetupException(data.name() + " has " + data.channels()
                        + " channels but the encoder takes " + spec.inputChannels()
                        + ": set the encoder's channels to " + data.channels());
            }
            this.stepsPerEpoch = data.size() / batch;
            if (stepsPerEpoch == 0) {
                throw new PretrainSetupException(dataDescription + " has fewer images than one batch of "
                        + batch + ": lower the batch size or the limit");
            }
            long total = (long) config.epochs() * stepsPerEpoch;
            if (total > Integer.MAX_VALUE) {
                throw new PretrainSetupException(config.epochs() + " epochs of " + stepsPerEpoch
                        + " steps is more steps than a run can count: lower the epochs");
            }
            this.totalSteps = (int) total;
            this.optimizerSpec = config.optimizer().toSpec(totalSteps);
            this.schedule = optimizerSpec.schedule(batch);
            this.head = config.head().resolve(spec.embeddingDim());
            this.normalization = Normalization.centred(spec.inputChannels());
            this.files = new RunFiles(config, data.size(), stepsPerEpoch, totalSteps, dataDescription, optimizerSpec,
                    listener);
        }

        PretrainResult run() throws IOException {
            Path out = files.out();
            Path modelDir = files.modelDir();
            Files.createDirectories(out);
            Optional<Path> latest = Checkpoint.latest(files.checkpoints());
            Checkpoint resumeState = null;
            if (config.resume() && latest.isPresent()) {
                resumedFrom = latest.get();
                resumeState = Checkpoint.read(resumedFrom);
                ModelManifest saved = ModelArtifact.readManifest(resumedFrom);
                checkResumable(resumeState, saved);
                runId = resumeState.runId();
                firstStep = resumeState.step();
                // The lineage and the normalisation are the checkpoint's, as the run began them.
                parentVersion = saved.parentVersion();
                parentSteps = saved.trainingSteps() - resumeState.step();
                normalization = saved.normalizationSpec();
                files.restoreHistory(firstStep);
            } else {
                if (latest.isPresent() || Files.exists(modelDir)) {
                    throw new PretrainSetupException(out + " holds an earlier run (" + CHECKPOINTS + "/ or "
                            + MODEL + "/): resume it, or choose another output folder");
                }
                runId = "simclr-" + spec.name() + "-" + RUN_TIME.format(started);
                if (config.initFrom() != null) {
                    ModelManifest parent = ModelArtifact.readManifest(config.initFrom());
                    checkParent(parent);
                    parentVersion = parent.version();
                    parentSteps = parent.trainingSteps();
                    normalization = parent.normalizationSpec();
                }
            }
            if (config.maxCpuTime() != null && ProcessCpu.nanos() < 0) {
                throw new PretrainSetupException("this JVM does not report its CPU time, so a CPU budget cannot be kept:"
                        + " use a time limit instead");
            }
            if (config.maxSteps() > 0 && config.maxSteps() <= firstStep) {
                throw new PretrainSetupException("the checkpoint is at step " + firstStep
                        + ", already at the step limit of " + config.maxSteps());
            }
            if (firstStep == totalSteps && Files.exists(modelDir)) {
                throw new PretrainSetupException("the run in " + out + " is complete (" + totalSteps
                        + " steps); nothing to resume");
            }
            files.lineage(runId, parentVersion, parentSteps, normalization);
            Device device = Devices.choose(config.device());
            // Off outside the gradient collector, or the optimiser's in-place updates fail in this thread.
            SimClrEngine.noGradientsInThisThread();
            listener.onStart(new ProgressListener.RunPlan(firstStep, totalSteps, stepsPerEpoch, data.size(),
                    dataDescription, device.toString(), optimizerSpec.peakLearningRate(batch), resumedFrom));
            Path loadFrom = resumedFrom != null ? resumedFrom : config.initFrom();
            if (loadFrom == null) {
                // Only weight initialisation draws from the engine; data order and views use Java's.
                SimClrEngine.get().setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
            }
            SimClrModel block = SimClrModel.builder().setEncoder(spec).optHead(config.head()).build();
            PretrainResult.StopReason reason;
            int done;
            try (Model model = Model.newInstance("simclr", device, SimClrEngine.ENGINE)) {
                model.setBlock(block);
                if (loadFrom != null) {
                    loadParameters(block, loadFrom, model.getNDManager(), resumedFrom != null
                            ? "the checkpoint is damaged; delete " + loadFrom + " to resume from the one before"
                            : "the model to continue from is damaged");
                }
                DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(new NtXentLoss(config.temperature()))
                        .optOptimizer(optimizerSpec.create(block, batch, firstStep))
                        .optDevices(new Device[] {device});
                try (Trainer trainer = model.newTrainer(trainingConfig)) {
                    // Parameters loaded from a checkpoint or a parent count as initialised and are kept.
                    trainer.initialize(spec.inputShape(2L * batch));
                    done = firstStep;
                    reason = PretrainResult.StopReason.COMPLETED;
                    int lastSaved = firstStep;
                    int[] order = null;
                    int orderEpoch = -1;
                    float[] pixels = new float[batch * spec.inputChannels() * data.height() * data.width()];
                    cpuAtFirstStep = ProcessCpu.nanos();
                    while (done < totalSteps) {
                        int epoch = done / stepsPerEpoch;
                        if (epoch != orderEpoch) {
                            order = Permutations.random(data.size(),
                                    new Random(Seeds.derive(config.seed(), SHUFFLE_STREAM, epoch)));
                            orderEpoch = epoch;
                        }
                        long t0 = System.nanoTime();
                        fillBatch(pixels, order, (done % stepsPerEpoch) * batch);
                        float loss = step(trainer, device, pixels, done);
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        stepSeconds += seconds;
                        if (!Float.isFinite(loss)) {
                            throw new IllegalStateException("the loss became " + loss + " at step " + (done + 1)
                                    + ": lower the learning rate");
                        }
                        int liveArrays = model.getNDManager().getManagedArrays().size();
                        StepRecord record = new StepRecord(done + 1, epoch + 1, loss, schedule.valueAt(done),
                                batch / seconds, liveArrays, ResidentMemory.megabytes());
                        done++;
                        files.add(record);
                        listener.onStep(record, liveArrays);
                        if (config.checkpointEvery().isDue(done, stepsPerEpoch) && done < totalSteps) {
                            files.saveCheckpoint(block, done);
                            lastSaved = done;
                        }
                        // a limit reached by the last step does not make a complete run a stopped one
                        reason = done < totalSteps ? stopReason(done) : PretrainResult.StopReason.COMPLETED;
                        if (reason != PretrainResult.StopReason.COMPLETED) {
                            break;
                        }
                    }
                    stepsCpu = cpuOfSteps();
                    if (done > lastSaved) {
                        files.saveCheckpoint(block, done);
                    }
                    files.saveModel(block, done, fitTransform(block, model.getNDManager()));
                }
            }
            Path plot = files.writeCurves(done);
            int stepsNow = done - firstStep;
            return new PretrainResult(done, firstStep, (double) done / stepsPerEpoch, files.finalLoss(),
                    files.history(), files.epochLosses(), stepsNow == 0 ? 0 : stepsNow * (double) batch / stepSeconds,
                    Duration.ofNanos(System.nanoTime() - startNanos), stepsCpu, modelDir, plot, files.historyFile(),
                    reason);
        }

        /**
         * The embedding transform of the configuration, fitted on h of (a seeded sample of) the training images as
         * the trained network gives it; null for raw.
         */
        private EmbeddingTransform fitTransform(SimClrModel block, NDManager manager) {
            EmbeddingTransform.Spec embedding = config.embedding();
            if (embedding.raw()) {
                return null;
            }
            try (FrozenEncoder frozen = FrozenEncoder.of(block.encoder(), spec, normalization, manager)) {
                ImageDataset sample = subset(data, TRANSFORM_SAMPLE, config.seed(), TRANSFORM_STREAM);
                float[] h = FeatureExtractor.embedAll(frozen, sample, io.planstream.simclr.eval.ProgressListener.none());
                return embedding.fit(h, spec.embeddingDim(), sample.size() + " training images of " + dataDescription);
            }
        }

        /** One SimCLR step on the images in {@code pixels}; returns the loss. */
        private float step(Trainer trainer, Device device, float[] pixels, int index) {
            try (NDManager stepManager = trainer.getManager().newSubManager(device)) {
                NDArray images = stepManager.create(pixels,
                        new Shape(batch, spec.inputChannels(), data.height(), data.width()));
                // A fresh augmenter per step, seeded by the step: resuming at any step replays its views.
                BatchAugmenter augmenter = new BatchAugmenter(config.augmentation(),
                        Seeds.derive(config.seed(), AUGMENT_STREAM, index));
                NDList views = augmenter.twoViews(images);
                NDArray x = normalization.apply(views.get(0).concat(views.get(1), 0));
                float loss;
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray z = trainer.forward(new NDList(x)).get(1);
                    NDArray l = NtXentLoss.compute(z, config.temperature());
                    collector.backward(l);
                    loss = l.getFloat();
                }
                trainer.step();
                return loss;
            }
        }

        /** Copies {@code batch} images from {@code order[start..]} into {@code pixels} as floats. */
        private void fillBatch(float[] pixels, int[] order, int start) {
            int plane = data.height() * data.width();
            int per = spec.inputChannels() * plane;
            for (int i = 0; i < batch; i++) {
                int offset = i * per;
                data.copyAsFloats(order[start + i], pixels, offset);
                // grey data for a colour encoder: the grey plane in all three channels
                for (int c = data.channels(); c < spec.inputChannels(); c++) {
                    System.arraycopy(pixels, offset, pixels, offset + c * plane, plane);
                }
            }
        }

        private PretrainResult.StopReason stopReason(int done) {
            if (config.maxSteps() > 0 && done >= config.maxSteps()) {
                return PretrainResult.StopReason.MAX_STEPS;
            }
            if (config.maxDuration() != null
                    && System.nanoTime() - startNanos >= config.maxDuration().toNanos()) {
                return PretrainResult.StopReason.TIME_BUDGET;
            }
            if (config.maxCpuTime() != null) {
                Duration cpu = cpuOfSteps();
                if (cpu != null && cpu.compareTo(config.maxCpuTime()) >= 0) {
                    return PretrainResult.StopReason.CPU_BUDGET;
                }
            }
            if (listener.stopRequested()) {
                return PretrainResult.StopReason.STOP_REQUESTED;
            }
            return PretrainResult.StopReason.COMPLETED;
        }

        /** CPU time used since this invocation's first step; null before it or where the JVM cannot tell. */
        private Duration cpuOfSteps() {
            long now = ProcessCpu.nanos();
            return cpuAtFirstStep < 0 || now < 0 ? null : Duration.ofNanos(now - cpuAtFirstStep);
        }

        private void checkResumable(Checkpoint c, ModelManifest manifest) throws ArtifactException {
            RunDifferences diff = new RunDifferences("checkpoint");
            diff.compare("batch size", c.batchSize(), batch);
            diff.compare("images", c.images(), data.size());
            diff.compare("steps per epoch", c.stepsPerEpoch(), stepsPerEpoch);
            diff.compare("total steps (epochs x steps per epoch)", c.totalSteps(), totalSteps);
            diff.compare("seed", c.seed(), config.seed());
            diff.compare("data", c.data(), dataDescription);
            diff.compare("optimizer", c.optimizer(), optimizerSpec.describe());
            diff.compare("temperature", c.temperature(), config.temperature());
            diff.compare("augmentation policy", c.policy(), config.augmentation().name());
            if (Math.abs(c.peakLearningRate() - optimizerSpec.peakLearningRate(batch))
                    > 1e-9 * Math.max(1, c.peakLearningRate())) {
                diff.compare("peak learning rate", c.peakLearningRate(), optimizerSpec.peakLearningRate(batch));
            }
            diff.architecture(manifest, spec, head);
            String parentNow = config.initFrom() == null ? "none" : ModelArtifact.readManifest(config.initFrom()).version();
            diff.compare("model continued from", Objects.toString(manifest.parentVersion(), "none"), parentNow);
            if (!diff.isEmpty()) {
                throw new PretrainSetupException("the checkpoint " + resumedFrom + " belongs to another run: " + diff);
            }
        }

        /** A parent must be the network this run builds: its parameters are loaded as they are. */
        private void checkParent(ModelManifest parent) {
            RunDifferences diff = new RunDifferences("parent");
            diff.architecture(parent, spec, head);
            if (!diff.isEmpty()) {
                throw new PretrainSetupException("the model " + config.initFrom() + " (" + parent.version()
                        + ") cannot be continued with this configuration: " + diff);
            }
        }

        /**
         * Loads the parameters of the artifact in {@code dir} into the fresh block, after checking its hash.
         *
         * @param damaged what a hash mismatch means for the run
         */
        private void loadParameters(SimClrModel block, Path dir, NDManager manager, String damaged)
                throws IOException {
            ModelManifest manifest = ModelArtifact.readManifest(dir);
            Path file = dir.resolve(manifest.parametersFile());
            String actual = ModelArtifact.sha256Hex(file);
            if (!actual.equals(manifest.parametersSha256())) {
                throw new ArtifactException(file + " has SHA-256 " + actual + " but its manifest says "
                        + manifest.parametersSha256() + ": " + damaged);
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                block.loadParameters(manager, in);
            } catch (MalformedModelException e) {
                throw new IOException(file + " does not fit " + spec + ": " + e.getMessage(), e);
            }
        }

        /** A seeded random {@code limit} of the images (0: all), in data-set order, drawn from {@code stream} of the seed. */
        private static ImageDataset subset(ImageDataset d, int limit, long seed, long stream) {
            if (limit == 0 || limit >= d.size()) {
                return d;
            }
            // A random subset rather than the first images: picture folders are sorted by class.
            int[] pick = Arrays.copyOf(Permutations.random(d.size(), new Random(Seeds.derive(seed, stream, 0))), limit);
            Arrays.sort(pick);
            return d.select(pick);
        }
    }
}
