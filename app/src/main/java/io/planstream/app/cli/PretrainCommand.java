package io.planstream.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.data.DataSources;
import io.planstream.simclr.data.FashionMnist;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.Split;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.optim.OptimizerSpec;
import io.planstream.simclr.train.CheckpointInterval;
import io.planstream.simclr.train.OptimizerSettings;
import io.planstream.simclr.train.PretrainConfig;
import io.planstream.simclr.train.MemoryPlot;
import io.planstream.simclr.train.PretrainResult;
import io.planstream.simclr.train.PretrainSetupException;
import io.planstream.simclr.train.Pretrainer;
import io.planstream.simclr.train.ProgressListener;
import io.planstream.simclr.train.StepRecord;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** SimCLR pretraining from the command line: a thin shell around {@link Pretrainer}. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrain a SimCLR encoder without labels (Chen et al. 2020) and save it as a model artifact.",
                "Writes OUT/model/ (the artifact), OUT/checkpoints/, OUT/history.csv and OUT/loss.png.",
                "Ctrl-C saves a checkpoint and the model before stopping; --resume continues the run.",
                "",
                "SOURCE is one of",
                "  fashion-mnist      Fashion-MNIST from Debian's package, installed with",
                "                       sudo apt-get install dataset-fashion-mnist",
                "                     (files under /usr/share/datasets/fashion-mnist)",
                "  fashion-mnist:DIR  its IDX files in DIR",
                "  DIR                a CIFAR-10 binary folder, or a folder of pictures",
                "                     (one sub-folder per class, or flat)",
                "  rplan:DIR          RPLAN floor plans (4-channel PNGs) under DIR, rendered by room",
                "                     category and labelled by room count; 1 in 5 is a test plan",
                ""})
final class PretrainCommand implements Callable<Integer> {

    /** Picture folders are scaled to this side unless --size says otherwise. */
    static final int DEFAULT_FOLDER_SIZE = 32;

    @Mixin
    DataSourceOption data;

    @Option(names = "--encoder", required = true, paramLabel = "NAME",
            description = "resnet-mini (minutes on a CPU), resnet18, resnet34 or resnet50.")
    String encoder;

    @Option(names = "--width", defaultValue = "1", description = "Width multiplier 1, 2 or 4 (default ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--stem", defaultValue = "auto",
            description = "small (3x3, no pooling), imagenet (7x7 and max-pool), or auto: small below 96 px (default ${DEFAULT-VALUE}).")
    String stem;

    @Option(names = "--size", description = "Side of the encoder's input in pixels (default: the data's own, "
            + DEFAULT_FOLDER_SIZE + " for picture folders).")
    Integer size;

    @Option(names = "--channels", description = "Input channels, 1 or 3 (default: the data's own; grey data can feed a 3-channel encoder).")
    Integer channels;

    @Option(names = "--epochs", required = true, description = "Passes over the data.")
    int epochs;

    @Option(names = "--batch", required = true, description = "Images per step; each gives two views (SimCLR: 256 to 4096).")
    int batch;

    @Mixin
    OutputFolder out;

    @Option(names = "--optimizer", defaultValue = "lars", description = "lars or adam (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Peak learning rate (default: lars 0.3 x batch / 256, adam 0.001).")
    Double lr;

    @Option(names = "--schedule", defaultValue = "cosine", paramLabel = "cosine|constant",
            description = "Learning-rate schedule: cosine (10%% warm-up, then cosine decay to 0, SimCLR's) or constant (the peak rate at every step, as plain Adam recipes) (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--temperature", defaultValue = "0.5", description = "NT-Xent temperature (default ${DEFAULT-VALUE}, SimCLR's for CIFAR-10).")
    float temperature;

    @Option(names = "--policy", defaultValue = "cifar", description = "Augmentations: cifar, imagenet or floorplan (default ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--strength", description = "Colour-distortion strength 0..1.25 (default: the policy's, cifar 0.5, imagenet 1.0).")
    Double strength;

    @Option(names = "--min-crop-scale", paramLabel = "SCALE", description = "Smallest crop, as a fraction of the image's area, 0..1"
            + " (default: the policy's, cifar and imagenet 0.08, floorplan 0.2).")
    Double minCropScale;

    @Option(names = "--embedding", defaultValue = "centre", paramLabel = "raw|centre|whiten[:SHRINKAGE]",
            description = {"What the model's embeddings are served with, fitted on the training images' features when",
                    "the model is saved (default ${DEFAULT-VALUE}: their mean taken away, so that unrelated images score",
                    "near 0); raw serves h as it is."})
    String embedding;

    @Option(names = "--head", defaultValue = "v1", description = "Projection head: v1 (2 layers) or v2 (3 layers, batch norm) (default ${DEFAULT-VALUE}).")
    String head;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Mixin
    DeviceOption device;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Train on a random subset of N images (default: all).")
    int limit;

    @Option(names = "--max-minutes", paramLabel = "M", description = "Stop after M minutes, saving a checkpoint (resume later with --resume).")
    Double maxMinutes;

    @Option(names = "--max-cpu-minutes", paramLabel = "M", description = {
            "Stop once the steps have used M minutes of CPU time (user and system, all threads), saving a checkpoint:",
            "a budget that does not depend on the cores, as the PyTorch reference's --cpu-minutes."})
    Double maxCpuMinutes;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0", description = "Stop the run at step N, saving a checkpoint (default: no limit).")
    long maxSteps;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Save a checkpoint every STEPS steps (default: every epoch).")
    Integer checkpointEvery;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in OUT/checkpoints.")
    boolean resume;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // Plots are drawn off screen; set before anything touches AWT (picture folders do).
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        PrintWriter err = spec.commandLine().getErr();
        checkDataExists();
        ImageDataset dataset = io.planstream.app.demo.RplanFolder.open(data.value(), Split.TRAIN, size == null ? DEFAULT_FOLDER_SIZE : size,
                channels == null ? 3 : channels);
        PretrainConfig config = config(dataset);

        BarListener bar = new BarListener(err, config.epochs(), resume);
        Thread hook = new Thread(bar::requestStopAndWait, "pretrain-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            PretrainResult result = Pretrainer.run(config, dataset, bar);
            bar.closeBar();
            printSummary(spec.commandLine().getOut(), config, result);
            return PlanstreamCommand.EXIT_OK;
        } catch (PretrainSetupException e) {
            throw new PlanstreamCommand.UsageException(e.getMessage());
        } finally {
            // only now may a Ctrl-C hook let the JVM go: the model and the summary are out
            bar.finished();
            removeHook(hook);
        }
    }

    /** Missing data is a usage error (exit 2) that says how to get it; unreadable data is a failure. */
    private void checkDataExists() {
        if (data.value().equals(DataSources.FASHION_MNIST) || data.value().startsWith(DataSources.FASHION_MNIST + ":")) {
            Path dir = data.value().equals(DataSources.FASHION_MNIST) ? FashionMnist.DEBIAN_DIR
                    : Path.of(data.value().substring(DataSources.FASHION_MNIST.length() + 1));
            if (!Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
                    && !Files.isRegularFile(dir.resolve("train-images-idx3-ubyte"))) {
                throw new PlanstreamCommand.UsageException("no Fashion-MNIST training images in " + dir
                        + (dir.equals(FashionMnist.DEBIAN_DIR) ? ": install them with sudo apt-get install dataset-fashion-mnist" : ""));
            }
        } else if (data.value().startsWith(io.planstream.app.demo.RplanFolder.PREFIX)) {
            if (!Files.isDirectory(Path.of(data.value().substring(io.planstream.app.demo.RplanFolder.PREFIX.length())))) {
                throw new PlanstreamCommand.UsageException("--data " + data.value() + ": not a folder");
            }
        } else if (!Files.isDirectory(Path.of(data.value()))) {
            throw new PlanstreamCommand.UsageException("--data " + data.value()
                    + " is neither fashion-mnist, rplan:DIR nor a folder (CIFAR-10 binary or pictures)");
        }
    }

    private PretrainConfig config(ImageDataset dataset) {
        try {
            int side = size != null ? size : dataset.height();
            int inputChannels = channels != null ? channels : dataset.channels();
            OptimizerSettings opt = OptimizerSettings.of(OptimizerSpec.Kind.of(optimizer)).withLearningRate(lr)
                    .withSchedule(OptimizerSpec.Decay.of(schedule));
            return PretrainConfig.builder()
                    .setData(data.value())
                    .setEncoder(EncoderSpec.of(encoder, width, stem, inputChannels, side))
                    .optHead(projectionHead())
                    .optPolicy(policy)
                    .optColorStrength(strength)
                    .optCropScaleMin(minCropScale)
                    .setEpochs(epochs)
                    .setBatchSize(batch)
                    .optOptimizer(opt)
                    .optTemperature(temperature)
                    .optSeed(seed.value())
                    .optDevice(device.value())
                    .setOutputDir(out.path())
                    .optCheckpointEvery(checkpointEvery == null ? CheckpointInterval.epochs(1)
                            : CheckpointInterval.steps(checkpointEvery))
                    .optMaxSteps(maxSteps)
                    .optMaxDuration(maxMinutes == null ? null : minutes("--max-minutes", maxMinutes))
                    .optMaxCpuTime(maxCpuMinutes == null ? null : minutes("--max-cpu-minutes", maxCpuMinutes))
                    .optLimit(limit)
                    .optResume(resume)
                    .optEmbedding(embeddingSpec())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException(e.getMessage());
        }
    }

    private EmbeddingTransform.Spec embeddingSpec() {
        try {
            return EmbeddingTransform.Spec.parse(embedding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--embedding " + embedding + ": " + e.getMessage(), e);
        }
    }

    private ProjectionHeadSpec projectionHead() {
        return switch (head.trim().toLowerCase(Locale.ROOT)) {
            case "v1" -> ProjectionHeadSpec.v1();
            case "v2" -> ProjectionHeadSpec.v2();
            default -> throw new IllegalArgumentException("--head must be v1 or v2, got: " + head);
        };
    }

    private static Duration minutes(String option, double m) {
        if (!(m > 0) || m > 100_000) {
            throw new IllegalArgumentException(option + " must be in (0, 100000], got: " + m);
        }
        return Duration.ofMillis(Math.round(m * 60_000));
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running (Ctrl-C): it waits for this run, which has just ended.
        }
    }

    private static void printSummary(PrintWriter out, PretrainConfig config, PretrainResult r) {
        EncoderSpec e = config.encoder();
        out.printf(Locale.ROOT, "pretrained %s (%dx, %s stem, %d px, %d channel%s), batch %d, %s%n", e.name(), e.width(),
                e.stem().id(), e.inputSize(), e.inputChannels(), e.inputChannels() == 1 ? "" : "s", config.batchSize(),
                config.optimizer().describe());
        out.printf(Locale.ROOT, "  steps       %d (%.2f epochs)%s%n", r.steps(), r.epochs(),
                r.firstStep() > 0 ? ", resumed from step " + r.firstStep() : "");
        if (r.stopReason() != PretrainResult.StopReason.COMPLETED) {
            out.printf(Locale.ROOT, "  stopped     %s; continue with --resume%n",
                    r.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        out.printf(Locale.ROOT, "  final loss  %.4f (last epoch's mean; chance is ln(2 x %d - 1) = %.4f)%n", r.finalLoss(),
                config.batchSize(), Math.log(2.0 * config.batchSize() - 1));
        out.printf(Locale.ROOT, "  images/s    %.1f%n", r.imagesPerSecond());
        out.printf(Locale.ROOT, "  wall time   %s%n", format(r.wallTime()));
        if (r.cpuTime() != null) {
            out.printf(Locale.ROOT, "  CPU time    %s (the steps', user and system, all threads)%n", format(r.cpuTime()));
        }
        out.printf(Locale.ROOT, "  model       %s%n", r.artifact());
        out.printf(Locale.ROOT, "  loss plot   %s%n", r.lossPlot());
        out.printf(Locale.ROOT, "  history     %s%n", r.historyCsv());
        Path memoryPlot = r.historyCsv() == null ? null : r.historyCsv().resolveSibling(MemoryPlot.FILE);
        if (memoryPlot != null && Files.isRegularFile(memoryPlot)) {
            r.history().stream().filter(s -> s.residentMb() >= 0).reduce((a, b) -> b).ifPresent(last -> out.printf(Locale.ROOT,
                    "  memory      %s (resident %.0f MB, %d live NDArrays after the last step)%n", memoryPlot, last.residentMb(),
                    last.liveArrays()));
        }
        out.flush();
    }

    private static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** Drives the progress bar and carries a stop request from Ctrl-C to the training loop. */
    static final class BarListener implements ProgressListener {
        /** How long Ctrl-C waits for the step in flight, the checkpoint and the model to be written. */
        private static final long STOP_WAIT_SECONDS = 120;
        private static final double SMOOTHING = 0.1;

        private final PrintWriter err;
        private final int epochs;
        private final boolean resume;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);
        private ProgressBar bar;
        private double imagesPerSecond;

        BarListener(PrintWriter err, int epochs, boolean resume) {
            this.err = err;
            this.epochs = epochs;
            this.resume = resume;
        }

        @Override
        public void onStart(RunPlan plan) {
            err.printf(Locale.ROOT, "pretrain: %s, %d steps per epoch, %d steps in all, on %s, peak learning rate %.4g%n",
                    plan.data(), plan.stepsPerEpoch(), plan.totalSteps(), plan.device(), plan.peakLearningRate());
            if (plan.resumedFrom() != null) {
                err.printf("pretrain: resuming from %s (step %d)%n", plan.resumedFrom(), plan.firstStep());
            } else if (resume) {
                err.println("pretrain: no checkpoint to resume from; starting at step 0");
            }
            err.flush();
            bar = Progress.bar("pretrain", plan.totalSteps(), "steps", plan.firstStep());
        }

        @Override
        public void onStep(StepRecord step, int liveArrays) {
            imagesPerSecond = imagesPerSecond == 0 ? step.imagesPerSecond()
                    : (1 - SMOOTHING) * imagesPerSecond + SMOOTHING * step.imagesPerSecond();
            bar.stepTo(step.step());
            bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d/%d loss %.3f %.0f img/s", step.epoch(), epochs,
                    step.loss(), imagesPerSecond));
        }

        @Override
        public boolean stopRequested() {
            return stop.get();
        }

        void closeBar() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }

        void finished() {
            closeBar();
            done.countDown();
        }

        /** Runs in the shutdown hook: ask for a stop, then give the run time to save. */
        void requestStopAndWait() {
            stop.set(true);
            try {
                done.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
