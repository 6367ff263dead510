package io.planstream.simclr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ProjectionHeadSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pretraining runs on 64 tiny images: a few seconds each on one libtorch thread. */
class PretrainerTest {

    private static final int SIZE = 16;
    private static final ImageDataset DATA = TinyData.stripes(64, 3, SIZE, 7);

    @TempDir Path tmp;

    private static PretrainConfig.Builder tiny(Path out) {
        return PretrainConfig.builder()
                .setData("stripes")
                .setEncoder(EncoderSpec.of("resnet-mini", 1, "small", 3, SIZE))
                .optHead(new ProjectionHeadSpec(2, 64, 32, false))
                // colour jitter of synthetic stripes needs more steps than a unit test has
                .optColorStrength(0.0)
                .optOptimizer(OptimizerSettings.adam())
                .optSeed(3)
                .setBatchSize(16)
                .setEpochs(6)
                .setOutputDir(out);
    }

    /** Records what the listener is told. */
    private static final class Recorder implements ProgressListener {
        final List<StepRecord> steps = new ArrayList<>();
        final List<Integer> arrays = new ArrayList<>();
        final List<Integer> checkpoints = new ArrayList<>();
        RunPlan plan;

        @Override
        public void onStart(RunPlan plan) {
            this.plan = plan;
        }

        @Override
        public void onStep(StepRecord step, int liveArrays) {
            steps.add(step);
            arrays.add(liveArrays);
        }

        @Override
        public void onCheckpoint(int step, Path directory) {
            checkpoints.add(step);
        }
    }

    @Test
    void shouldLowerTheLossOverEpochsAndWriteModelCurvesAndCheckpoints() throws IOException {
        Path out = tmp.resolve("run");
        Recorder rec = new Recorder();
        PretrainResult r = Pretrainer.run(tiny(out).build(), DATA, rec);

        assertThat(rec.plan.totalSteps()).isEqualTo(24);
        assertThat(rec.plan.stepsPerEpoch()).isEqualTo(4);
        assertThat(r.steps()).isEqualTo(24);
        assertThat(r.epochs()).isEqualTo(6.0);
        assertThat(r.stopReason()).isEqualTo(PretrainResult.StopReason.COMPLETED);
        assertThat(r.history()).extracting(StepRecord::step).containsExactlyElementsOf(range(1, 24));
        List<Double> epochs = r.epochLosses();
        assertThat(epochs).hasSize(6);
        // chance level is log(2N - 1) = log 31 = 3.43; a network that learns nothing stays there
        assertThat(epochs.get(0)).isBetween(2.8, 3.6);
        assertThat(epochs.get(5)).isLessThan(epochs.get(0) - 0.3);
        assertThat(r.finalLoss()).isCloseTo(epochs.get(5), within(1e-9));
        assertThat(r.imagesPerSecond()).isPositive();

        ModelManifest m = ModelArtifact.readManifest(out.resolve(Pretrainer.MODEL));
        assertThat(m.trainingSteps()).isEqualTo(24);
        assertThat(m.trainingData()).startsWith("stripes (64 images)");
        assertThat(m.metrics()).containsEntry("epochs", 6.0).containsKey("final_loss");
        assertThat(m.metrics().get("final_loss")).isCloseTo(r.finalLoss(), within(1e-9));

        // every epoch a checkpoint, the last three kept
        assertThat(rec.checkpoints).containsExactly(4, 8, 12, 16, 20, 24);
        assertThat(Checkpoint.list(out.resolve(Pretrainer.CHECKPOINTS)))
                .extracting(p -> p.getFileName().toString())
                .containsExactly("step-00000016", "step-00000020", "step-00000024");
        Checkpoint last = Checkpoint.read(out.resolve(Pretrainer.CHECKPOINTS).resolve("step-00000024"));
        assertThat(last.step()).isEqualTo(24);
        assertThat(last.epoch()).isEqualTo(6);
        assertThat(last.seed()).isEqualTo(3);

        List<StepRecord> csv = TrainingHistory.read(out.resolve(TrainingHistory.FILE));
        assertThat(csv).hasSize(24);
        assertThat(csv.get(23).loss()).isCloseTo(r.history().get(23).loss(), within(1e-5));
        assertThat(csv.get(0).learningRate()).isPositive();

        byte[] png = Files.readAllBytes(out.resolve(LossPlot.FILE));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
        BufferedImage image = ImageIO.read(out.resolve(LossPlot.FILE).toFile());
        assertThat(image.getWidth()).isEqualTo(LossPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LossPlot.HEIGHT);
    }

    @Test
    void shouldKeepTheNumberOfLiveArraysFlatOverThirtySteps() throws IOException {
        Recorder rec = new Recorder();
        // LARS, the default optimiser, with its momentum buffers; 8 steps per epoch, stopped at 30
        PretrainConfig config = tiny(tmp.resolve("flat"))
                .optOptimizer(OptimizerSettings.lars())
                .setBatchSize(8)
                .setEpochs(4)
                .optMaxSteps(30)
                .optCheckpointEvery(CheckpointInterval.steps(1000))
                .build();
        PretrainResult r = Pretrainer.run(config, DATA, rec);

        assertThat(r.steps()).isEqualTo(30);
        assertThat(r.stopReason()).isEqualTo(PretrainResult.StopReason.MAX_STEPS);
        assertThat(rec.arrays).hasSize(30);
        // parameters and optimiser state exist after the first step; nothing else may pile up
        assertThat(rec.arrays).containsOnly(rec.arrays.get(0));
    }

    @Test
    void shouldResumeFromTheLatestCheckpointWithTheScheduleAndDataOrderOfAnUninterruptedRun() throws IOException {
        Path out = tmp.resolve("resumed");
        PretrainConfig.Builder plan = tiny(out).setEpochs(3).optCheckpointEvery(CheckpointInterval.steps(4));

        Recorder first = new Recorder();
        PretrainResult stopped = Pretrainer.run(plan.optMaxSteps(6).build(), DATA, first);
        assertThat(stopped.steps()).isEqualTo(6);
        assertThat(stopped.stopReason()).isEqualTo(PretrainResult.StopReason.MAX_STEPS);
        assertThat(first.checkpoints).containsExactly(4, 6);

        assertThatThrownBy(() -> Pretrainer.run(plan.optMaxSteps(0).build(), DATA, ProgressListener.NONE))
                .isInstanceOf(PretrainSetupException.class)
                .hasMessageContaining("holds an earlier run");
        assertThatThrownBy(() -> Pretrainer.run(plan.optResume(true).setBatchSize(8).build(), DATA, ProgressListener.NONE))
                .isInstanceOf(PretrainSetupException.class)
                .hasMessageContaining("batch size: checkpoint 16, now 8");

        Recorder second = new Recorder();
        PretrainResult resumed = Pretrainer.run(plan.optResume(true).setBatchSize(16).build(), DATA, second);
        assertThat(second.plan.firstStep()).isEqualTo(6);
        assertThat(second.plan.resumedFrom().getFileName().toString()).isEqualTo("step-00000006");
        assertThat(second.steps).extracting(StepRecord::step).containsExactlyElementsOf(range(7, 12));
        assertThat(resumed.steps()).isEqualTo(12);
        assertThat(resumed.firstStep()).isEqualTo(6);
        assertThat(resumed.history()).extracting(StepRecord::step).containsExactlyElementsOf(range(1, 12));
        assertThat(resumed.history().subList(0, 6)).extracting(StepRecord::loss)
                .containsExactlyElementsOf(first.steps.stream().map(s -> round6(s.loss())).toList());
        assertThat(ModelArtifact.readManifest(out.resolve(Pretrainer.MODEL)).trainingSteps()).isEqualTo(12);
        assertThat(ModelArtifact.readManifest(out.resolve("model-step-00000006")).trainingSteps()).isEqualTo(6);
        assertThat(TrainingHistory.read(out.resolve(TrainingHistory.FILE))).hasSize(12);

        // The same run without interruption: step 7 starts from the same parameters and sees the
        // same batch and views, so its loss is the resumed run's; the rate is the schedule's.
        Recorder whole = new Recorder();
        Pretrainer.run(plan.optResume(false).setOutputDir(tmp.resolve("whole")).build(), DATA, whole);
        assertThat(second.steps.get(0).loss()).isCloseTo(whole.steps.get(6).loss(), within(1e-4));
        for (int i = 0; i < 6; i++) {
            assertThat(second.steps.get(i).learningRate())
                    .isCloseTo(whole.steps.get(6 + i).learningRate(), within(1e-12));
        }
    }

    @Test
    void shouldSaveArtifactsThatLoadBackWithTheSameEmbeddings() throws IOException {
        Path out = tmp.resolve("embed");
        Pretrainer.run(tiny(out).setEpochs(3).optCheckpointEvery(CheckpointInterval.steps(2)).build(), DATA,
                ProgressListener.NONE);
        Path checkpoints = out.resolve(Pretrainer.CHECKPOINTS);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(4, 3, SIZE, SIZE));
            float[] fromModel = embed(ModelArtifact.load(out.resolve(Pretrainer.MODEL), m), x);
            float[] fromLast = embed(ModelArtifact.load(Checkpoint.directoryFor(checkpoints, 12), m), x);
            float[] fromEarlier = embed(ModelArtifact.load(Checkpoint.directoryFor(checkpoints, 8), m), x);
            assertThat(fromModel).hasSize(4 * 128).containsExactly(fromLast);
            assertThat(fromEarlier).isNotEqualTo(fromModel);
        }
    }

    private static float[] embed(ModelArtifact artifact, NDArray x) {
        try (artifact) {
            NDArray in = artifact.normalization().apply(x);
            NDList out = artifact.model().forward(new ParameterStore(x.getManager(), false), new NDList(in), false);
            return out.get(0).toFloatArray();
        }
    }

    @Test
    void shouldTrainAColourEncoderOnGreyImagesFromAnIdxFolder() throws IOException {
        Path idx = tmp.resolve("idx");
        TinyData.writeIdx(idx, TinyData.stripes(40, 1, 20, 5));
        Recorder rec = new Recorder();
        PretrainConfig config = tiny(tmp.resolve("grey"))
                .setData("fashion-mnist:" + idx)
                .optLimit(32)
                .setEpochs(1)
                .optPolicy("imagenet")
                .optColorStrength(null)
                .build();
        PretrainResult r = Pretrainer.run(config, rec);
        assertThat(rec.plan.images()).isEqualTo(32);
        assertThat(rec.plan.data()).isEqualTo("fashion-mnist/train (32 of 40 images, seed 3)");
        assertThat(r.steps()).isEqualTo(2);
        assertThat(r.history()).allSatisfy(s -> assertThat(s.loss()).isFinite());
    }

    @Test
    void shouldRefuseRunsThatCannotStart() {
        assertThatThrownBy(() -> Pretrainer.run(tiny(tmp.resolve("a")).setBatchSize(128).build(), DATA,
                ProgressListener.NONE))
                .isInstanceOf(PretrainSetupException.class)
                .hasMessageContaining("fewer images than one batch of 128");
        PretrainConfig grey = tiny(tmp.resolve("b")).setEncoder(EncoderSpec.of("resnet-mini", 1, "small", 1, SIZE)).build();
        assertThatThrownBy(() -> Pretrainer.run(grey, DATA, ProgressListener.NONE))
                .isInstanceOf(PretrainSetupException.class)
                .hasMessageContaining("has 3 channels but the encoder takes 1");
    }

    @Test
    void shouldRejectBadSettingsNamingThem() {
        assertThatThrownBy(() -> tiny(tmp).setBatchSize(1).build()).hasMessageContaining("batch size");
        assertThatThrownBy(() -> tiny(tmp).setEpochs(0).build()).hasMessageContaining("epochs");
        assertThatThrownBy(() -> tiny(tmp).optPolicy("sepia").build()).hasMessageContaining("sepia");
        assertThatThrownBy(() -> tiny(tmp).optColorStrength(2.0).build()).hasMessageContaining("colorStrength");
        assertThatThrownBy(() -> tiny(tmp).optTemperature(0f).build()).hasMessageContaining("temperature");
        assertThatThrownBy(() -> tiny(tmp).optDevice("tpu").build()).hasMessageContaining("tpu");
        assertThatThrownBy(() -> tiny(tmp).optLimit(-1).build()).hasMessageContaining("limit");
        assertThatThrownBy(() -> CheckpointInterval.steps(0)).hasMessageContaining("steps");
        PretrainConfig defaults = PretrainConfig.builder().setData("x").setEpochs(1).setBatchSize(256)
                .setEncoder(EncoderSpec.of("resnet-mini", 1, 28)).setOutputDir(tmp).build();
        assertThat(defaults.temperature()).isEqualTo(0.5f);
        assertThat(defaults.optimizer().toSpec(100).peakLearningRate(256)).isCloseTo(0.3, within(1e-12));
        assertThat(defaults.optimizer().toSpec(100).warmupSteps()).isEqualTo(10);
        assertThat(defaults.augmentation().name()).isEqualTo("cifar");
        assertThat(defaults.augmentation().outputSize()).isEqualTo(28);
    }

    @Test
    void shouldDeriveUnrelatedSeedsPerStreamAndIndex() {
        assertThat(Pretrainer.derive(1, 2, 3)).isEqualTo(Pretrainer.derive(1, 2, 3))
                .isNotEqualTo(Pretrainer.derive(1, 2, 4))
                .isNotEqualTo(Pretrainer.derive(1, 3, 3))
                .isNotEqualTo(Pretrainer.derive(2, 2, 3));
        int[] p = Pretrainer.permutation(50, new Random(1));
        assertThat(p).containsExactlyInAnyOrder(range(0, 49).stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            r.add(i);
        }
        return r;
    }

    private static double round6(double v) {
        return Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6f", v));
    }
}
