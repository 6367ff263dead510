package io.planstream.simclr.bench;

import java.util.Objects;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.ParameterStore;

import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.loss.NtXentLoss;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.InferenceEncoder;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;
import io.planstream.simclr.optim.OptimizerSpec;

/**
 * Measures an encoder on the engine's device: forward images per second (the training-graph block in
 * inference mode, and the batch-norm-folded {@link InferenceEncoder} the embedder serves with), seconds
 * per SimCLR training step (2B views through f and g, NT-Xent, backward, LARS update), the arithmetic
 * rate those reach, and the device's dense matrix-multiply rate as the ceiling to compare with.
 */
public final class EncoderBenchmark {

    private static final float TAU = 0.5f;

    /**
     * @param forwardIterations timed forward batches (after warm-up)
     * @param trainSteps timed training steps (after warm-up)
     */
    public record Config(EncoderSpec encoder, int batch, int forwardIterations, int trainSteps, int warmup, Device device) {
        public Config {
            Objects.requireNonNull(encoder, "encoder");
            Objects.requireNonNull(device, "device");
            if (batch < 2 || batch > 4096) {
                throw new IllegalArgumentException("batch must be 2..4096, got " + batch);
            }
            if (forwardIterations < 1 || trainSteps < 0 || warmup < 0) {
                throw new IllegalArgumentException("need forwardIterations >= 1, trainSteps >= 0, warmup >= 0");
            }
        }
    }

    /** What one run measured; rates are per second of wall time on {@code device}. */
    public record Result(String device, String encoder, int width, String stem, int size, int batch, long parameters,
                         double gflopsPerImage, double forwardImagesPerS, double foldedForwardImagesPerS,
                         double sPerStep, double forwardGflopsPerS, double trainGflopsPerS, double matmulGflopsPerS) {
    }

    /** Progress of a run, for a progress bar: the phase and how many of its iterations are done. */
    @FunctionalInterface
    public interface Listener {
        void progress(String phase, int done, int total);
    }

    private EncoderBenchmark() {
    }

    public static Result run(Config c, Listener listener) {
        SimClrEngine.get().setRandomSeed(1);
        EncoderSpec spec = c.encoder();
        SimClrModel block = SimClrModel.builder().setEncoder(spec).optHead(ProjectionHeadSpec.v1()).build();
        try (Model model = Model.newInstance("bench", c.device(), SimClrEngine.ENGINE)) {
            model.setBlock(block);
            int steps = Math.max(1, c.trainSteps() + c.warmup());
            DefaultTrainingConfig config = new DefaultTrainingConfig(new NtXentLoss(TAU))
                    .optOptimizer(OptimizerSpec.lars(1, steps).create(block, c.batch()))
                    .optDevices(new Device[] {c.device()});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(spec.inputShape(2L * c.batch()));
                NDManager root = trainer.getManager();
                double flops = FlopCounter.forwardFlopsPerImage(block.encoder());
                long parameters = block.encoder().getParameters().stream()
                        .mapToLong(p -> p.getValue().getArray().getShape().size()).sum();

                double forward = forwardRate(block, root, c, listener, false);
                double folded = forwardRate(block, root, c, listener, true);
                double sPerStep = c.trainSteps() == 0 ? Double.NaN : trainStep(trainer, root, c, listener);
                double matmul = matmulGflops(root);
                // A training step is forward + backward (about twice the forward work) over 2B views.
                double trainGflops = 3 * flops * 2 * c.batch() / sPerStep / 1e9;
                return new Result(c.device().toString(), spec.name(), spec.width(), spec.stem().name().toLowerCase(java.util.Locale.ROOT),
                        spec.inputSize(), c.batch(), parameters, flops / 1e9, forward, folded, sPerStep,
                        flops * forward / 1e9, trainGflops, matmul);
            }
        }
    }

    private static double forwardRate(SimClrModel block, NDManager root, Config c, Listener listener, boolean foldBatchNorm) {
        String phase = foldBatchNorm ? "forward (folded)" : "forward";
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.randomUniform(0, 1, c.encoder().inputShape(c.batch()));
            InferenceEncoder folded = foldBatchNorm ? InferenceEncoder.of(block.encoder(), m) : null;
            ParameterStore store = new ParameterStore(m, false);
            long start = 0;
            int total = c.warmup() + c.forwardIterations();
            for (int i = 0; i < total; i++) {
                if (i == c.warmup()) {
                    start = System.nanoTime();
                }
                try (NDManager step = m.newSubManager()) {
                    NDArray in = x.duplicate();
                    in.attach(step);
                    NDArray h = folded != null ? folded.embed(in)
                            : block.encoder().forward(store, new NDList(in), false).singletonOrThrow();
                    // Reading a value waits for the device, so the time covers the whole computation.
                    h.getFloat(0, 0);
                }
                listener.progress(phase, i + 1, total);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (folded != null) {
                folded.close();
            }
            return c.forwardIterations() * c.batch() / seconds;
        }
    }

    private static double trainStep(Trainer trainer, NDManager root, Config c, Listener listener) {
        long start = 0;
        int total = c.warmup() + c.trainSteps();
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.randomUniform(0, 1, c.encoder().inputShape(2L * c.batch()));
            for (int i = 0; i < total; i++) {
                if (i == c.warmup()) {
                    start = System.nanoTime();
                }
                try (NDManager step = m.newSubManager()) {
                    NDArray in = x.duplicate();
                    in.attach(step);
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray z = trainer.forward(new NDList(in)).get(1);
                        NDArray loss = NtXentLoss.compute(z, TAU);
                        gc.backward(loss);
                        loss.getFloat();
                    }
                    trainer.step();
                }
                listener.progress("train step", i + 1, total);
            }
        }
        return (System.nanoTime() - start) / 1e9 / c.trainSteps();
    }

    /**
     * The device's dense single-precision matrix-multiply rate: the ceiling for convolution-heavy work.
     * The best of a few timed products of 2048x2048 matrices, large enough to run at the library's peak.
     */
    static double matmulGflops(NDManager root) {
        int n = 2048;
        try (NDManager m = root.newSubManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            a.matMul(b).getFloat(0, 0);
            double best = 0;
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                try (NDArray p = a.matMul(b)) {
                    p.getFloat(0, 0);
                }
                best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - start) / 1e9) / 1e9);
            }
            return best;
        }
    }
}
