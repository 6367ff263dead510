package io.planstream.simclr;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.planstream.simclr.augment.AugmentationPolicy;
import io.planstream.simclr.augment.BatchAugmenter;
import io.planstream.simclr.loss.NtXentLoss;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;
import io.planstream.simclr.optim.OptimizerSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pieces together, as a trainer would use them, on 16 tiny images. */
class SimClrTrainingTest {

    private static final int IMAGES = 16;
    private static final int SIZE = 16;
    private static final int STEPS = 25;
    private static final float TAU = 0.5f;
    /** Crops and flips only: colour distortion of 16 synthetic patterns needs more than 25 steps. */
    private static final AugmentationPolicy POLICY =
            AugmentationPolicy.cifar(SIZE).withCrop(0.4, 1, 0.75, 4.0 / 3).withoutColour();

    /** @return the mean loss of the first and the last five steps, and the managed-array counts */
    private static double[] train(OptimizerSpec optimizerSpec) {
        SimClrEngine.get().setRandomSeed(1);
        EncoderSpec spec = EncoderSpec.of("resnet-mini", 1, "small", 3, SIZE);
        SimClrModel block =
                SimClrModel.builder()
                        .setEncoder(spec)
                        .optHead(new ProjectionHeadSpec(2, 64, 32, false))
                        .build();
        Device device = Devices.choose("auto");
        try (Model model = Model.newInstance("simclr", device, SimClrEngine.ENGINE)) {
            model.setBlock(block);
            Optimizer optimizer = optimizerSpec.create(block, IMAGES);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(new NtXentLoss(TAU))
                            .optOptimizer(optimizer)
                            .optDevices(new Device[] {device});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(spec.inputShape(2L * IMAGES));
                NDManager root = trainer.getManager();
                NDArray data = images(root);
                Normalization norm = Normalization.centred(3);
                BatchAugmenter augmenter =
                        new BatchAugmenter(POLICY, 11);
                double first = 0;
                double last = 0;
                int arraysAfterFirstStep = -1;
                for (int step = 0; step < STEPS; step++) {
                    try (NDManager stepManager = root.newSubManager()) {
                        NDArray batch = data.duplicate();
                        batch.attach(stepManager);
                        NDList views = augmenter.twoViews(batch);
                        NDArray x = norm.apply(views.get(0).concat(views.get(1), 0));
                        float loss;
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray z = trainer.forward(new NDList(x)).get(1);
                            NDArray l = NtXentLoss.compute(z, TAU);
                            gc.backward(l);
                            loss = l.getFloat();
                        }
                        trainer.step();
                        if (step < 5) {
                            first += loss / 5;
                        }
                        if (step >= STEPS - 5) {
                            last += loss / 5;
                        }
                    }
                    if (step == 0) {
                        arraysAfterFirstStep = root.getManagedArrays().size();
                    }
                }
                // DJL's PyTorch engine accumulates gradients: the optimiser must have cleared them
                double leftover = 0;
                for (Pair<String, Parameter> p : block.getParameters()) {
                    NDArray w = p.getValue().getArray();
                    if (p.getValue().requiresGradient()) {
                        try (NDArray g = w.getGradient()) {
                            leftover = Math.max(leftover, g.abs().max().getFloat());
                        }
                    }
                }
                return new double[] {
                    first, last, arraysAfterFirstStep, root.getManagedArrays().size(), leftover
                };
            }
        }
    }

    /** 16 different smooth random patterns. */
    private static NDArray images(NDManager m) {
        Random r = new Random(5);
        float[] px = new float[IMAGES * 3 * SIZE * SIZE];
        for (int n = 0; n < IMAGES; n++) {
            double[] f = new double[6];
            for (int k = 0; k < 6; k++) {
                f[k] = r.nextDouble() * 6;
            }
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        double v = Math.sin(f[c] * x / SIZE + f[c + 3] * y / SIZE + c);
                        px[((n * 3 + c) * SIZE + y) * SIZE + x] = (float) (0.5 + 0.5 * v);
                    }
                }
            }
        }
        return m.create(px, new Shape(IMAGES, 3, SIZE, SIZE));
    }

    @Test
    void adamShouldLowerTheContrastiveLossWithoutLeakingArrays() {
        double[] r = train(OptimizerSpec.adam(2, STEPS));
        // chance level: log(2N - 1) = log 31 = 3.43
        assertThat(r[0]).isBetween(2.8, 3.6);
        assertThat(r[1]).isLessThan(r[0] - 0.4);
        assertThat(r[3]).isEqualTo(r[2]);
        assertThat(r[4]).isZero();
    }

    @Test
    void larsShouldLowerTheContrastiveLoss() {
        // LARS moves each layer by lr x eta of its norm per step: a large-batch rate (batch 4096
        // in SimCLR's rule, 0.3 x 4096 / 256 = 4.8) to see progress within 25 steps.
        double[] r = train(new OptimizerSpec(OptimizerSpec.Kind.LARS, 4.8, false, 1e-6, 2, STEPS));
        assertThat(r[1]).isLessThan(r[0] - 0.15);
        assertThat(r[3]).isEqualTo(r[2]);
        assertThat(r[4]).isZero();
    }
}
