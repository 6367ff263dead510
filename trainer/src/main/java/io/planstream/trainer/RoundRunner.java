package io.planstream.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

import io.planstream.avro.ModelVersion;
import io.planstream.models.ArtifactResolver;
import io.planstream.models.ModelLog;
import io.planstream.models.ModelTarget;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.train.CheckpointInterval;
import io.planstream.simclr.train.PretrainConfig;
import io.planstream.simclr.train.PretrainResult;
import io.planstream.simclr.train.Pretrainer;
import io.planstream.simclr.train.ProgressListener;
import io.planstream.simclr.train.StepRecord;

/**
 * One training round: the target version read from the models topic, a snapshot of the buffer split into
 * training and held-out images, continued SimCLR pretraining with the same {@link Pretrainer} as
 * {@code ./planstream pretrain}, and the candidate handed to the {@link CandidateRelease}. Rounds run one
 * at a time (the caller's lock); this class reports the running one's progress.
 */
final class RoundRunner {

    static final Duration MODELS_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaPlatform platform;
    private final TrainerSettings settings;
    private final ArtifactResolver artifacts;
    private final ImageFeed feed;
    private final CandidateRelease release;
    private volatile boolean running = true;
    private volatile TrainerService.Progress progress = TrainerService.Progress.idle(0);

    RoundRunner(KafkaPlatform platform, TrainerSettings settings, ArtifactResolver artifacts, ImageFeed feed,
                CandidateRelease release) {
        this.platform = platform;
        this.settings = settings;
        this.artifacts = artifacts;
        this.feed = feed;
        this.release = release;
    }

    /**
     * Why a round cannot continue pretraining {@code version}, or empty where it can: continued SimCLR
     * pretraining needs the encoder and its projection head as Planstream parameters, which an imported
     * TorchScript encoder does not have.
     */
    static Optional<String> whyNotContinued(int version, ModelManifest manifest) {
        if (!manifest.isTorchScript()) {
            return Optional.empty();
        }
        return Optional.of("version " + version + " is an imported TorchScript encoder (" + manifest.parametersFile()
                + "): continued pretraining needs a Planstream artifact with a projection head; pin a trained version"
                + " (planstream model activate N) to train again");
    }

    /** Runs round number {@code round}; its exceptions are the caller's to turn into a failed result. */
    RoundResult run(int round, String trigger, Instant started, long t0) throws IOException {
        try {
            return new Round(round, trigger, started, t0).run();
        } finally {
            progress = TrainerService.Progress.idle(round);
        }
    }

    TrainerService.Progress progress() {
        return progress;
    }

    /** A round in progress sees this at its next step and ends. */
    void stop() {
        running = false;
    }

    /** One round's steps, with what it learnt on the way for the result. */
    private final class Round {
        private final int round;
        private final String trigger;
        private final Instant started;
        private final long t0;
        private Integer parent;
        private int trainImages;
        private int heldOutImages;
        private long steps;
        private Map<String, Double> current = Map.of();
        private Map<String, Double> candidate = Map.of();
        private Path lossPlot;

        Round(int round, String trigger, Instant started, long t0) {
            this.round = round;
            this.trigger = trigger;
            this.started = started;
            this.t0 = t0;
        }

        RoundResult run() throws IOException {
            phase("reading models");
            TreeMap<Integer, ModelVersion> models = ModelLog.readAll(platform, MODELS_TIMEOUT);
            OptionalInt target = ModelTarget.select(models);
            Path parentDir = null;
            EncoderSpec spec = settings.firstEncoder();
            ProjectionHeadSpec head = ProjectionHeadSpec.v1();
            if (target.isPresent()) {
                parent = target.getAsInt();
                parentDir = artifacts.resolve(models.get(parent));
                ModelManifest manifest = ModelArtifact.readManifest(parentDir);
                Optional<String> refusal = whyNotContinued(parent, manifest);
                if (refusal.isPresent()) {
                    return end(RoundResult.Outcome.SKIPPED, refusal.get());
                }
                spec = manifest.encoderSpec();
                head = manifest.headSpec();
            }
            TrainingBuffer b = feed.buffer();
            if (b.channels() != spec.inputChannels() || b.imageSize() != spec.inputSize()) {
                feed.refill(spec.inputChannels(), spec.inputSize());
                return end(RoundResult.Outcome.SKIPPED, "version " + parent + " takes " + spec.inputChannels() + "x"
                        + spec.inputSize() + " px images: the buffer is refilled at that shape from the images topic");
            }
            TrainingBuffer.Split split = b.snapshot(settings.heldOutFraction(), "images topic sample");
            trainImages = split.train().size();
            heldOutImages = split.heldOut().size();
            if (trainImages < settings.batchSize()) {
                return end(RoundResult.Outcome.SKIPPED, trainImages + " training images in the buffer, fewer than one batch of "
                        + settings.batchSize());
            }
            if (heldOutImages < 2) {
                return end(RoundResult.Outcome.SKIPPED, heldOutImages + " held-out images: too few to judge a candidate");
            }
            Path out = settings.workDir().resolve(String.format(Locale.ROOT, "round-%05d-%d", round, started.toEpochMilli()));
            PretrainConfig config = PretrainConfig.builder()
                    .setData("images topic sample (" + trainImages + " images)")
                    .setEncoder(spec)
                    .optHead(head)
                    .setEpochs(settings.epochs())
                    .setBatchSize(settings.batchSize())
                    .setOutputDir(out)
                    .optPolicy(settings.policy())
                    .optTemperature(settings.temperature())
                    .optSeed(settings.seed() + round)
                    .optDevice(settings.device())
                    .optMaxDuration(settings.maxRoundDuration())
                    .optCheckpointEvery(CheckpointInterval.epochs(Math.max(1, settings.epochs())))
                    .optInitFrom(parentDir)
                    .build();
            phase("training");
            PretrainResult trained = Pretrainer.run(config, split.train(), new ProgressListener() {
                @Override
                public void onStart(RunPlan plan) {
                    progress = new TrainerService.Progress(round, trigger, "training", plan.firstStep(), plan.totalSteps(), 0,
                            settings.epochs(), Double.NaN);
                }

                @Override
                public void onStep(StepRecord step, int liveArrays) {
                    TrainerService.Progress p = progress;
                    progress = new TrainerService.Progress(round, trigger, "training", step.step(), p.totalSteps(), step.epoch(),
                            p.epochs(), step.loss());
                }

                @Override
                public boolean stopRequested() {
                    return !running;
                }
            });
            steps = trained.steps() - trained.firstStep();
            lossPlot = trained.lossPlot();
            if (!running) {
                return end(RoundResult.Outcome.SKIPPED, "the trainer is stopping");
            }
            phase("evaluating");
            CandidateRelease.Judgement judgement = release.judge(trained.artifact(), parentDir, split.heldOut(), split.heldOutProgrammes());
            current = judgement.current();
            candidate = judgement.candidate();
            if (!judgement.publish()) {
                return end(RoundResult.Outcome.REJECTED, judgement.reason());
            }
            phase("publishing");
            ModelVersion v = release.publish(trained.artifact(), parent, candidate, trainImages, steps);
            return end(RoundResult.Outcome.PUBLISHED, "version " + v.getVersion() + " published: " + judgement.reason(),
                    v.getVersion());
        }

        private void phase(String phase) {
            // The phases after training keep its last step and loss on show.
            TrainerService.Progress p = progress;
            progress = p.round() == round && p.trigger() != null
                    ? new TrainerService.Progress(round, trigger, phase, p.step(), p.totalSteps(), p.epoch(), p.epochs(), p.lastLoss())
                    : TrainerService.Progress.phase(round, trigger, phase);
        }

        private RoundResult end(RoundResult.Outcome outcome, String reason) {
            return end(outcome, reason, null);
        }

        private RoundResult end(RoundResult.Outcome outcome, String reason, Integer published) {
            return new RoundResult(round, trigger, outcome, reason, started, Duration.ofNanos(System.nanoTime() - t0), parent,
                    published, trainImages, heldOutImages, steps, current, candidate, lossPlot);
        }
    }
}
