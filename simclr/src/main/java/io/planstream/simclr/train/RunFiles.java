package io.planstream.simclr.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.io.file.PathUtils;

import io.planstream.simclr.artifact.ArtifactInfo;
import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.SimClrModel;
import io.planstream.simclr.optim.OptimizerSpec;

/**
 * A run's output folder (see {@link Pretrainer} for its layout) and the step history it is written
 * from: checkpoints with their {@link Checkpoint} record, the last {@value Pretrainer#KEEP_CHECKPOINTS}
 * kept, the final model, the history CSV and the loss and memory curves.
 */
final class RunFiles {

    private final PretrainConfig config;
    private final EncoderSpec spec;
    private final int batch;
    private final int images;
    private final int stepsPerEpoch;
    private final int totalSteps;
    private final String dataDescription;
    private final OptimizerSpec optimizerSpec;
    private final ProgressListener listener;
    private final Path out;
    private final Path checkpoints;
    private final Path modelDir;
    private final List<StepRecord> history = new ArrayList<>();
    private String runId;
    private String parentVersion;
    private long parentSteps;
    private Normalization normalization;

    RunFiles(PretrainConfig config, int images, int stepsPerEpoch, int totalSteps, String dataDescription,
             OptimizerSpec optimizerSpec, ProgressListener listener) {
        this.config = config;
        this.spec = config.encoder();
        this.batch = config.batchSize();
        this.images = images;
        this.stepsPerEpoch = stepsPerEpoch;
        this.totalSteps = totalSteps;
        this.dataDescription = dataDescription;
        this.optimizerSpec = optimizerSpec;
        this.listener = listener;
        this.out = config.outputDir();
        this.checkpoints = out.resolve(Pretrainer.CHECKPOINTS);
        this.modelDir = out.resolve(Pretrainer.MODEL);
    }

    Path out() {
        return out;
    }

    Path checkpoints() {
        return checkpoints;
    }

    Path modelDir() {
        return modelDir;
    }

    Path historyFile() {
        return out.resolve(TrainingHistory.FILE);
    }

    /**
     * What the saved checkpoints and models say of the run: its id, the version it continues (null for a
     * run from scratch) with the steps behind it, and the normalisation their inputs expect.
     */
    void lineage(String runId, String parentVersion, long parentSteps, Normalization normalization) {
        this.runId = runId;
        this.parentVersion = parentVersion;
        this.parentSteps = parentSteps;
        this.normalization = normalization;
    }

    List<StepRecord> history() {
        return history;
    }

    void add(StepRecord record) {
        history.add(record);
    }

    /** The history a resumed run had up to {@code firstStep}, from its CSV. */
    void restoreHistory(int firstStep) throws IOException {
        Path csv = historyFile();
        if (Files.isRegularFile(csv)) {
            for (StepRecord r : TrainingHistory.read(csv)) {
                if (r.step() <= firstStep) {
                    history.add(r);
                }
            }
        }
    }

    void saveCheckpoint(SimClrModel block, int step) throws IOException {
        Path dir = Checkpoint.directoryFor(checkpoints, step);
        if (Files.exists(dir)) {
            // Left by a save that was cut short (no checkpoint.json): redone from scratch.
            PathUtils.deleteDirectory(dir);
        }
        ModelArtifact.save(dir, block, info(runId + "-step-" + step, step));
        new Checkpoint(Checkpoint.FORMAT_VERSION, runId, step, step / stepsPerEpoch, stepsPerEpoch, totalSteps,
                batch, images, config.seed(), dataDescription, optimizerSpec.describe(),
                optimizerSpec.peakLearningRate(batch), config.temperature(), config.augmentation().name(),
                finalLoss(), Instant.now()).write(dir);
        List<Path> all = Checkpoint.list(checkpoints);
        for (int i = 0; i < all.size() - Pretrainer.KEEP_CHECKPOINTS; i++) {
            PathUtils.deleteDirectory(all.get(i));
        }
        TrainingHistory.write(historyFile(), history);
        listener.onCheckpoint(step, dir);
    }

    /** @param transform what the model's embeddings are served with; null for h as it is */
    void saveModel(SimClrModel block, int steps, EmbeddingTransform transform) throws IOException {
        if (Files.exists(modelDir)) {
            // The model of an earlier, stopped invocation of this run: kept, under its step.
            // Named by this run's step; the manifest's count includes the parent's steps.
            long before = ModelArtifact.readManifest(modelDir).trainingSteps() - parentSteps;
            Path aside = out.resolve(String.format("%s-step-%08d", Pretrainer.MODEL, before));
            if (Files.exists(aside)) {
                throw new IOException("cannot move the earlier model " + modelDir + " aside: " + aside
                        + " exists");
            }
            Files.move(modelDir, aside);
        }
        ModelArtifact.save(modelDir, block, info(runId + "-step-" + steps, steps), transform);
    }

    private ArtifactInfo info(String version, int steps) {
        Map<String, Double> metrics = new HashMap<>();
        if (!history.isEmpty()) {
            metrics.put("final_loss", finalLoss());
        }
        metrics.put("epochs", (double) steps / stepsPerEpoch);
        metrics.put("batch_size", (double) batch);
        metrics.put("temperature", (double) config.temperature());
        metrics.put("peak_learning_rate", optimizerSpec.peakLearningRate(batch));
        metrics.put("final_learning_rate", optimizerSpec.schedule(batch).valueAt(optimizerSpec.totalSteps()));
        metrics.put("crop_scale_min", config.augmentation().cropScaleMin());
        metrics.put("color_strength", config.augmentation().colorStrength());
        return new ArtifactInfo(version, parentVersion, normalization,
                dataDescription + ", SimCLR " + config.augmentation().name() + " views", parentSteps + steps,
                metrics);
    }

    /** Writes the history CSV and the curves; returns the loss plot, or null before the first step. */
    Path writeCurves(int steps) throws IOException {
        TrainingHistory.write(historyFile(), history);
        if (history.isEmpty()) {
            return null;
        }
        Path png = out.resolve(LossPlot.FILE);
        String title = String.format(Locale.ROOT, "SimCLR %s (%dx, %s stem, %d px), batch %d, %d epoch%s%s",
                spec.name(), spec.width(), spec.stem().id(), spec.inputSize(), batch, config.epochs(),
                config.epochs() == 1 ? "" : "s",
                steps < totalSteps ? String.format(Locale.ROOT, " (stopped at %d of %d steps)", steps, totalSteps)
                        : "");
        LossPlot.write(png, history, title);
        if (history.stream().anyMatch(r -> r.residentMb() >= 0)) {
            MemoryPlot.write(out.resolve(MemoryPlot.FILE), history, title);
        }
        return png;
    }

    /** Mean loss over the last epoch's worth of steps, or NaN before the first. */
    double finalLoss() {
        int k = Math.min(stepsPerEpoch, history.size());
        return history.subList(history.size() - k, history.size()).stream()
                .mapToDouble(StepRecord::loss).average().orElse(Double.NaN);
    }

    List<Double> epochLosses() {
        List<Double> means = new ArrayList<>();
        int i = 0;
        while (i < history.size()) {
            int epoch = history.get(i).epoch();
            double sum = 0;
            int n = 0;
            for (; i < history.size() && history.get(i).epoch() == epoch; i++) {
                sum += history.get(i).loss();
                n++;
            }
            means.add(sum / n);
        }
        return means;
    }
}
