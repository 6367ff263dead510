package io.planstream.simclr.eval;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.planstream.simclr.Permutations;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ResNet;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The fine-tuning protocol (Chen et al. 2020, section 4 and appendix B.5, simplified): a copy of
 * the encoder with a new linear head on h, trained end to end on labelled training images with
 * Adam and softmax cross-entropy, no augmentation, batch norm in training mode; then top-1
 * accuracy on the test split in inference mode. The source encoder is not changed.
 *
 * <p>Reproducible under a seed on one device: the engine's seed fixes the head's initialisation
 * and the shuffling is drawn from a seeded {@link Random}.
 */
public final class FineTuneEvaluation {

    public static final int DEFAULT_EPOCHS = 3;
    public static final int DEFAULT_BATCH = 128;
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final int MAX_EPOCHS = 1000;

    /**
     * @param epochs passes over the training images, 1 to {@link #MAX_EPOCHS}
     * @param batchSize images per step, 2 to {@link FeatureExtractor#MAX_BATCH} (batch norm needs two)
     * @param learningRate Adam's rate, in (0, 1]
     * @param seed seeds the head and the order of the images
     */
    public record Options(int epochs, int batchSize, double learningRate, long seed) {

        public Options {
            if (epochs < 1 || epochs > MAX_EPOCHS) {
                throw new IllegalArgumentException("epochs must be in [1, " + MAX_EPOCHS + "], got " + epochs);
            }
            if (batchSize < 2 || batchSize > FeatureExtractor.MAX_BATCH) {
                throw new IllegalArgumentException("batchSize must be in [2, " + FeatureExtractor.MAX_BATCH + "], got "
                        + batchSize);
            }
            if (!(learningRate > 0 && learningRate <= 1)) {
                throw new IllegalArgumentException("learningRate must be in (0, 1], got " + learningRate);
            }
        }

        public static Options defaults(long seed) {
            return new Options(DEFAULT_EPOCHS, DEFAULT_BATCH, DEFAULT_LEARNING_RATE, seed);
        }
    }

    private FineTuneEvaluation() {
    }

    /**
     * @param source the encoder to start from; not changed
     * @param train labelled training images
     * @param test labelled test images
     * @param options epochs, batch, rate, seed
     * @param progress told the images trained on so far, out of epochs x training images
     * @return top-1 (and top-5) accuracy on {@code test}
     */
    public static EvalResult run(FrozenEncoder source, ImageDataset train, ImageDataset test, Options options,
                                 ProgressListener progress) {
        FeatureExtractor.requireLabels(train);
        FeatureExtractor.requireLabels(test);
        ImagePreprocessor pre = source.preprocessor();
        pre.check(train);
        pre.check(test);
        long start = System.nanoTime();
        int classes = Math.max(train.numClasses(), test.numClasses());
        EncoderSpec spec = source.spec();
        Device device = source.manager().getDevice();
        SimClrEngine.get().setRandomSeed((int) options.seed());
        ResNet encoder = spec.build();
        SequentialBlock net = new SequentialBlock().add(encoder).add(Linear.builder().setUnits(classes).build());
        try (Model model = Model.newInstance("finetune", device, SimClrEngine.ENGINE)) {
            model.setBlock(net);
            copyParameters(source.network(), encoder, spec, model.getNDManager());
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) options.learningRate())).build())
                    .optDevices(new Device[] {device});
            try (Trainer trainer = model.newTrainer(config)) {
                // Only the head is new: parameters that already hold arrays are left as they are.
                trainer.initialize(spec.inputShape(options.batchSize()));
                Random random = new Random(options.seed());
                int n = train.size();
                long total = (long) options.epochs() * n;
                long done = 0;
                double lastEpochLoss = 0;
                for (int epoch = 0; epoch < options.epochs(); epoch++) {
                    int[] order = Permutations.random(n, random);
                    double lossSum = 0;
                    for (int from = 0; from < n; from += options.batchSize()) {
                        int to = Math.min(n, from + options.batchSize());
                        // Batch norm cannot train on one image: a last lone image takes its neighbour along.
                        int first = to - from < 2 && n >= 2 ? to - 2 : from;
                        int[] indices = java.util.Arrays.copyOfRange(order, first, to);
                        try (NDManager step = trainer.getManager().newSubManager()) {
                            NDArray x = pre.batch(train, indices, step);
                            NDArray y = step.create(labelsOf(train, indices));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                                NDArray loss = config.getLossFunction().evaluate(new NDList(y), new NDList(logits));
                                gc.backward(loss);
                                lossSum += loss.getFloat() * indices.length;
                            }
                            trainer.step();
                        }
                        done += to - from;
                        progress.update(Math.min(done, total), total);
                    }
                    lastEpochLoss = lossSum / n;
                }
                Accuracy acc = evaluate(trainer, pre, test, options.batchSize(), classes);
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("epochs", options.epochs());
                params.put("batch", options.batchSize());
                params.put("optimizer", "adam");
                params.put("learning_rate", options.learningRate());
                params.put("last_epoch_loss", lastEpochLoss);
                params.put("augmentation", "none");
                params.put("seed", options.seed());
                double seconds = (System.nanoTime() - start) / 1e9;
                return new EvalResult(Protocol.FINETUNE, acc.top1(), acc.top5(), train.size(), test.size(),
                        spec.embeddingDim(), seconds, params);
            }
        }
    }

    private static Accuracy evaluate(Trainer trainer, ImagePreprocessor pre, ImageDataset test, int batch, int classes) {
        Accuracy acc = Accuracy.empty(classes);
        int[] labels = test.labels();
        for (int from = 0; from < test.size(); from += batch) {
            int to = Math.min(test.size(), from + batch);
            int[] indices = new int[to - from];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = from + i;
            }
            try (NDManager step = trainer.getManager().newSubManager()) {
                NDArray x = pre.batch(test, indices, step);
                float[] logits = trainer.evaluate(new NDList(x)).singletonOrThrow().toFloatArray();
                double[] scores = new double[logits.length];
                for (int i = 0; i < logits.length; i++) {
                    scores[i] = logits[i];
                }
                acc = acc.plus(Accuracy.of(scores, 0, labels, from, indices.length, classes));
            }
        }
        return acc;
    }

    /** Copies every parameter (batch-norm statistics included) of {@code from} into {@code to}. */
    static void copyParameters(ResNet from, ResNet to, EncoderSpec spec, NDManager manager) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                from.saveParameters(out);
            }
            try (NDManager scratch = manager.newSubManager()) {
                // Initialising gives the copy its structure; the loaded arrays then replace the
                // random ones, which die with scratch.
                to.initialize(scratch, DataType.FLOAT32, spec.inputShape(1));
                to.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("copying the encoder's parameters in memory failed", e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("the encoder's parameters do not fit its own architecture", e);
        }
    }

    private static long[] labelsOf(ImageDataset data, int[] indices) {
        long[] y = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            y[i] = data.labels()[indices[i]];
        }
        return y;
    }
}
