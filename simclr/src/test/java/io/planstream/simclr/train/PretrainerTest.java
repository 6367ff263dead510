package io.planstream.simclr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.planstream.simclr.Permutations;
import io.planstream.simclr.ProcessCpu;
import io.planstream.simclr.Seeds;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ArtifactInfo;
import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.optim.OptimizerSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        assertThat(m.metrics()).containsEntry("epochs", 6.0).containsKey("final_loss")
                .containsEntry("crop_scale_min", 0.08).containsEntry("color_strength", 0.0)
                .containsEntry("peak_learning_rate", 1e-3).containsEntry("final_learning_rate", 0.0);
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
        // the memory columns: the arrays each step leaves are the same after every step, the resident set is read
        assertThat(csv).extracting(StepRecord::liveArrays).containsOnly(csv.get(0).liveArrays());
        assertThat(csv.get(0).liveArrays()).isPositive();
        assertThat(csv).allSatisfy(row -> assertThat(row.residentMb()).isGreaterThan(10));
        BufferedImage memory = ImageIO.read(out.resolve(MemoryPlot.FILE).toFile());
        assertThat(memory.getWidth()).isEqualTo(LossPlot.WIDTH);

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
        OptimizerSettings constant = OptimizerSettings.adam().withSchedule(OptimizerSpec.Decay.CONSTANT);
        assertThatThrownBy(() -> Pretrainer.run(plan.optResume(true).optOptimizer(constant).build(), DATA,
                        ProgressListener.NONE))
                .isInstanceOf(PretrainSetupException.class)
                .hasMessageContaining("optimizer: checkpoint adam, now adam, constant rate");

        Recorder second = new Recorder();
        PretrainResult resumed = Pretrainer.run(
                plan.optResume(true).setBatchSize(16).optOptimizer(OptimizerSettings.adam()).build(), DATA, second);
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
    void shouldKeepThePeakRateAtEveryStepOfAConstantSchedule() throws IOException {
        Path out = tmp.resolve("constant");
        Recorder rec = new Recorder();
        OptimizerSettings constant = OptimizerSettings.adam().withLearningRate(2e-3)
                .withSchedule(OptimizerSpec.Decay.CONSTANT);
        PretrainResult r = Pretrainer.run(tiny(out).setEpochs(2).optOptimizer(constant).build(), DATA, rec);

        assertThat(r.history()).hasSize(8).extracting(StepRecord::learningRate).containsOnly(2e-3);
        assertThat(r.epochLosses().get(1)).isLessThan(r.epochLosses().get(0));
        assertThat(ModelArtifact.readManifest(out.resolve(Pretrainer.MODEL)).metrics())
                .containsEntry("peak_learning_rate", 2e-3).containsEntry("final_learning_rate", 2e-3);
        assertThat(Checkpoint.read(Checkpoint.list(out.resolve(Pretrainer.CHECKPOINTS)).get(1)).optimizer())
                .isEqualTo("adam, constant rate");
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

    @Test
    void shouldSaveTheModelWithTheMeanOfItsTrainingFeaturesUnlessToldRaw() throws IOException {
        Path out = tmp.resolve("centred");
        Pretrainer.run(tiny(out).setEpochs(2).build(), DATA, ProgressListener.NONE);
        Path model = out.resolve(Pretrainer.MODEL);
        EmbeddingTransform t = EmbeddingTransform.read(model, 128);
        assertThat(t).isNotNull();
        assertThat(t.kind()).isEqualTo(EmbeddingTransform.Kind.CENTRE);
        assertThat(t.fittedOn()).isEqualTo(DATA.size());
        // The mean of h over the training images, computed here by the unfolded network of the saved model.
        try (NDManager m = NDManager.newBaseManager(); ModelArtifact a = ModelArtifact.load(model, m)) {
            int[] all = java.util.stream.IntStream.range(0, DATA.size()).toArray();
            NDArray x = new io.planstream.simclr.eval.ImagePreprocessor(3, SIZE, a.normalization()).batch(DATA, all, m);
            NDArray h = a.model().encoder().forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            float[] mean = h.mean(new int[] {0}).toFloatArray();
            for (int j = 0; j < mean.length; j++) {
                assertThat(t.mean()[j]).as("feature %d", j).isCloseTo(mean[j], within(1e-3f));
            }
            assertThat(norm(mean)).as("a ReLU network's features are not centred by themselves").isGreaterThan(0.1);
        }
        Path raw = tmp.resolve("raw");
        Pretrainer.run(tiny(raw).setEpochs(2).optEmbedding(EmbeddingTransform.Spec.parse("raw")).build(), DATA,
                ProgressListener.NONE);
        assertThat(raw.resolve(Pretrainer.MODEL).resolve(EmbeddingTransform.FILE)).doesNotExist();
        assertThat(raw.resolve(Pretrainer.MODEL).resolve(ModelArtifact.MANIFEST)).exists();
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static float[] embed(ModelArtifact artifact, NDArray x) {
        try (artifact) {
            NDArray in = artifact.normalization().apply(x);
            NDList out = artifact.model().forward(new ParameterStore(x.getManager(), false), new NDList(in), false);
            return out.get(0).toFloatArray();
        }
    }

    /**
     * A parent trained for 8 steps, saved again under its own version with the ImageNet
     * normalisation so that a child's normalisation can be told apart from the default.
     */
    private Path parent() throws IOException {
        Path run = tmp.resolve("parent-run");
        Pretrainer.run(tiny(run).setEpochs(2).build(), DATA, ProgressListener.NONE);
        Path parent = tmp.resolve("parent");
        try (NDManager m = NDManager.newBaseManager();
                ModelArtifact a = ModelArtifact.load(run.resolve(Pretrainer.MODEL), m)) {
            ModelArtifact.save(parent, a.model(),
                    new ArtifactInfo("parent-v1", null, Normalization.imagenet(), "stripes", 8, Map.of()));
        }
        return parent;
    }

    @Test
    void shouldContinueAParentModelFromItsParametersWithItsNormalisationAndLineage() throws IOException {
        Path parent = parent();
        // Another seed (so another initialisation, had the parent not been loaded) and a rate so
        // small that the child's weights stay the parent's to float precision.
        PretrainConfig.Builder child = tiny(tmp.resolve("child"))
                .setEpochs(1)
                .optSeed(4)
                .optOptimizer(OptimizerSettings.adam().withLearningRate(1e-9))
                .optCheckpointEvery(CheckpointInterval.steps(2))
                .optInitFrom(parent);
        PretrainResult stopped = Pretrainer.run(child.optMaxSteps(2).build(), DATA, ProgressListener.NONE);
        assertThat(stopped.steps()).isEqualTo(2);
        assertThatThrownBy(() -> Pretrainer.run(child.optMaxSteps(0).optResume(true).optInitFrom(null).build(), DATA,
                ProgressListener.NONE))
                .isInstanceOf(PretrainSetupException.class)
                .hasMessageContaining("model continued from: checkpoint parent-v1, now none");
        PretrainResult resumed = Pretrainer.run(child.optInitFrom(parent).build(), DATA, ProgressListener.NONE);
        assertThat(resumed.firstStep()).isEqualTo(2);
        assertThat(resumed.steps()).isEqualTo(4);

        Path out = tmp.resolve("child");
        for (Path dir : List.of(out.resolve(Pretrainer.MODEL), out.resolve("model-step-00000002"),
                Checkpoint.directoryFor(out.resolve(Pretrainer.CHECKPOINTS), 2))) {
            ModelManifest m = ModelArtifact.readManifest(dir);
            assertThat(m.parentVersion()).as(dir.toString()).isEqualTo("parent-v1");
            assertThat(m.normalization()).as(dir.toString()).isEqualTo(Normalization.imagenet());
        }
        assertThat(ModelArtifact.readManifest(out.resolve(Pretrainer.MODEL)).trainingSteps()).isEqualTo(8 + 4);
        assertThat(ModelArtifact.readManifest(out.resolve("model-step-00000002")).trainingSteps()).isEqualTo(8 + 2);

        assertThat(maxWeightDifference(parent, out.resolve(Pretrainer.MODEL))).isLessThan(1e-6);
        // the same check tells a fresh initialisation apart
        PretrainConfig fresh = child.optInitFrom(null).optResume(false).optMaxSteps(1)
                .setOutputDir(tmp.resolve("fresh")).build();
        Pretrainer.run(fresh, DATA, ProgressListener.NONE);
        assertThat(maxWeightDifference(parent, tmp.resolve("fresh").resolve(Pretrainer.MODEL))).isGreaterThan(0.01);
    }

    /** The largest difference between the learnt parameters of two artifacts; batch-norm statistics move in any run. */
    private static double maxWeightDifference(Path a, Path b) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
                ModelArtifact x = ModelArtifact.load(a, m);
                ModelArtifact y = ModelArtifact.load(b, m)) {
            double max = 0;
            var others = y.model().getParameters();
            for (Pair<String, Parameter> p : x.model().getParameters()) {
                if (p.getValue().getType() == Parameter.Type.RUNNING_MEAN
                        || p.getValue().getType() == Parameter.Type.RUNNING_VAR) {
                    continue;
                }
                float[] u = p.getValue().getArray().toFloatArray();
                float[] v = others.get(p.getKey()).getArray().toFloatArray();
                for (int i = 0; i < u.length; i++) {
                    max = Math.max(max, Math.abs(u[i] - v[i]));
                }
            }
            return max;
        }
    }

    @Test
    void shouldRefuseToContinueAModelOfAnotherArchitectureOrADamagedOne() throws IOException {
        Path parent = parent();
        PretrainConfig other = tiny(tmp.resolve("other"))
                .setEncoder(EncoderSpec.of("resnet-mini", 1, "small", 3, 24))
                .optHead(new ProjectionHeadSpec(2, 64, 16, false))
                .optInitFrom(parent)
                .build();
        assertThatThrownBy(() -> Pretrainer.run(other, DATA, ProgressListener.NONE))
                .isInstanceOf(PretrainSetupException.class)
                .hasMessageContaining("parent-v1")
                .hasMessageContaining("encoder input size: parent 16, now 24")
                .hasMessageContaining("projection head output dim: parent 32, now 16")
                .hasMessageNotContaining("encoder width");
        assertThat(tmp.resolve("other").resolve(Pretrainer.CHECKPOINTS)).doesNotExist();

        Files.write(parent.resolve(ModelArtifact.PARAMETERS), new byte[] {0}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> Pretrainer.run(tiny(tmp.resolve("damaged")).optInitFrom(parent).build(), DATA,
                ProgressListener.NONE))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("SHA-256")
                .hasMessageContaining("the model to continue from is damaged");
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
    void shouldStopOnceTheStepsHaveSpentTheCpuBudgetAndResumeFromThere() throws IOException {
        Path out = tmp.resolve("cpu");
        PretrainConfig.Builder plan = tiny(out).setEpochs(2);
        long before = ProcessCpu.nanos();
        // A step on 16 tiny images costs milliseconds of CPU: a 1 ms budget is spent by the first.
        PretrainResult stopped = Pretrainer.run(plan.optMaxCpuTime(Duration.ofMillis(1)).build(), DATA, ProgressListener.NONE);
        long spent = ProcessCpu.nanos() - before;

        assertThat(stopped.stopReason()).isEqualTo(PretrainResult.StopReason.CPU_BUDGET);
        assertThat(stopped.steps()).isEqualTo(1);
        assertThat(stopped.cpuTime()).isGreaterThanOrEqualTo(Duration.ofMillis(1));
        // the steps' CPU, not the whole call's (data set-up and saving come on top)
        assertThat(stopped.cpuTime().toNanos()).isLessThan(spent);
        assertThat(Checkpoint.list(out.resolve(Pretrainer.CHECKPOINTS))).hasSize(1);

        PretrainResult resumed = Pretrainer.run(plan.optMaxCpuTime(null).optResume(true).build(), DATA, ProgressListener.NONE);
        assertThat(resumed.stopReason()).isEqualTo(PretrainResult.StopReason.COMPLETED);
        assertThat(resumed.steps()).isEqualTo(8);
        assertThat(resumed.cpuTime()).isPositive();
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
        assertThatThrownBy(() -> tiny(tmp).optCropScaleMin(0.0).build()).hasMessageContaining("smallest crop scale must be in (0, 1.0], got: 0.0");
        assertThatThrownBy(() -> tiny(tmp).optCropScaleMin(1.5).build()).hasMessageContaining("got: 1.5");
        assertThat(tiny(tmp).optCropScaleMin(0.2).build().augmentation().cropScaleMin()).isEqualTo(0.2);
        assertThat(tiny(tmp).optPolicy("floorplan").build().augmentation().cropScaleMin()).isEqualTo(0.2);
        assertThat(tiny(tmp).build().augmentation().cropScaleMin()).isEqualTo(0.08);
        assertThatThrownBy(() -> tiny(tmp).optTemperature(0f).build()).hasMessageContaining("temperature");
        assertThatThrownBy(() -> tiny(tmp).optDevice("tpu").build()).hasMessageContaining("tpu");
        assertThatThrownBy(() -> tiny(tmp).optLimit(-1).build()).hasMessageContaining("limit");
        assertThatThrownBy(() -> tiny(tmp).optMaxCpuTime(Duration.ZERO).build())
                .hasMessageContaining("max CPU time must be positive, got: PT0S");
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
        assertThat(Seeds.derive(1, 2, 3)).isEqualTo(Seeds.derive(1, 2, 3))
                .isNotEqualTo(Seeds.derive(1, 2, 4))
                .isNotEqualTo(Seeds.derive(1, 3, 3))
                .isNotEqualTo(Seeds.derive(2, 2, 3));
        int[] p = Permutations.random(50, new Random(1));
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
