package io.planstream.simclr.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.planstream.simclr.Seeds;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.augment.AugmentationPolicy;
import io.planstream.simclr.augment.BatchAugmenter;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.loss.NtXentLoss;
import io.planstream.simclr.model.InferenceEncoder;
import io.planstream.simclr.model.ProjectionHead;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;

/**
 * Measures a model artifact on held-out images the way a quality gate needs: the figures of two
 * models are comparable because both see exactly the same batches and views, drawn from the seed.
 *
 * <ul>
 *   <li>held-out NT-Xent (Chen et al. 2020): the pretraining objective itself on images the model
 *       was not trained on, with f(.) and g(.) in inference mode (batch norm on running
 *       statistics, no gradient);
 *   <li>alignment and uniformity (Wang and Isola, "Understanding Contrastive Representation
 *       Learning through Alignment and Uniformity on the Hypersphere", ICML 2020) of the
 *       L2-normalised h: how close the two views of an image land, and how evenly the images
 *       spread over the sphere;
 *   <li>leave-one-out kNN top-1 accuracy where the images are labelled ({@link
 *       KnnEvaluation#leaveOneOut}), and the retrieval protocol where their room programmes are known,
 *       both on the features the artifact serves: h under its {@link
 *       io.planstream.simclr.artifact.EmbeddingTransform} where it has one.
 * </ul>
 *
 * <p>Views are drawn as in pretraining ({@link BatchAugmenter}, one generator per batch seeded by
 * the seed and the batch's index) from the images in a seeded order; the un-augmented images (centre
 * square, as {@link FeatureExtractor#encoder} prepares them) give uniformity and kNN. Every batch
 * works in its own sub-manager, closed after the batch.
 */
public final class RepresentationQuality {

    public static final int DEFAULT_BATCH = 256;
    public static final long DEFAULT_SEED = 1;

    private static final long ORDER_STREAM = 1;
    private static final long VIEW_STREAM = 2;

    /**
     * @param policy how the views are drawn; its output size must be the encoder's input size
     * @param temperature NT-Xent's tau, > 0; use the pretraining run's to compare with its loss
     * @param batchSize images per NT-Xent batch, in [2, {@link FeatureExtractor#MAX_BATCH}]; the last
     *     batch is filled up from the start of the order; with fewer held-out images, one batch of all
     *     of them
     * @param seed fixes the order of the images and every view
     * @param knn k and temperature of the kNN accuracy
     */
    public record Options(AugmentationPolicy policy, float temperature, int batchSize, long seed,
                          KnnEvaluation.Options knn) {

        public Options {
            if (policy == null) {
                throw new IllegalArgumentException("augmentation policy must be set");
            }
            if (!(temperature > 0) || !Float.isFinite(temperature)) {
                throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
            }
            if (batchSize < 2 || batchSize > FeatureExtractor.MAX_BATCH) {
                throw new IllegalArgumentException("batchSize must be in [2, " + FeatureExtractor.MAX_BATCH
                        + "] (NT-Xent needs negatives), got " + batchSize);
            }
            if (knn == null) {
                throw new IllegalArgumentException("kNN options must be set");
            }
        }

        /** @return batches of {@value #DEFAULT_BATCH}, seed {@value #DEFAULT_SEED}, kNN defaults */
        public static Options of(AugmentationPolicy policy, float temperature) {
            return new Options(policy, temperature, DEFAULT_BATCH, DEFAULT_SEED, KnnEvaluation.Options.defaults());
        }
    }

    private RepresentationQuality() {
    }

    /**
     * @param artifact a model artifact directory
     * @param heldOut at least 2 images the model was not trained on, labelled or not, of any size
     * @param options views, batches, seed
     * @param manager its device runs the model; everything lives under sub-managers, freed on return
     * @return the figures
     * @throws ArtifactException naming what is wrong with the artifact
     * @throws IllegalArgumentException with fewer than 2 images, channels the encoder cannot take, a
     *     policy whose views are not the encoder's input size, or a model whose outputs are not finite
     */
    public static QualityReport evaluate(Path artifact, ImageDataset heldOut, Options options, NDManager manager)
            throws ArtifactException {
        return evaluate(artifact, heldOut, null, options, manager);
    }

    /**
     * As {@link #evaluate(Path, ImageDataset, Options, NDManager)}, and where {@code programmes} gives every
     * held-out image its room programme (category to count, in the dataset's order), the retrieval protocol
     * ({@link RetrievalEvaluation}) on the same features as the kNN accuracy.
     */
    public static QualityReport evaluate(Path artifact, ImageDataset heldOut, List<Map<String, Integer>> programmes, Options options,
                                         NDManager manager) throws ArtifactException {
        if (programmes != null && programmes.size() != heldOut.size()) {
            throw new IllegalArgumentException(programmes.size() + " programmes for " + heldOut.size() + " held-out images");
        }
        SimClrEngine.noGradientsInThisThread();
        try (FrozenEncoder encoder = FrozenEncoder.load(artifact, manager)) {
            return evaluate(encoder, heldOut, programmes, options);
        }
    }

    private static QualityReport evaluate(FrozenEncoder encoder, ImageDataset data, List<Map<String, Integer>> programmes,
                                          Options options) {
        int n = data.size();
        if (n < 2) {
            throw new IllegalArgumentException(data.name() + " has " + n
                    + " image(s): held-out quality needs at least 2 (NT-Xent a negative, uniformity a pair)");
        }
        if (options.policy().outputSize() != encoder.spec().inputSize()) {
            throw new IllegalArgumentException("the policy " + options.policy().name() + " makes "
                    + options.policy().outputSize() + "-pixel views but the encoder takes "
                    + encoder.spec().inputSize());
        }
        ImagePreprocessor pre = encoder.preprocessor();
        pre.check(data);
        int d = encoder.embeddingDim();
        int batch = Math.min(options.batchSize(), n);
        int batches = (n + batch - 1) / batch;
        int[] order = order(n, options.seed());
        InferenceEncoder f = encoder.inference();
        ProjectionHead g = encoder.head();
        double loss = 0;
        double alignment = 0;
        for (int b = 0; b < batches; b++) {
            // Every batch is full, the last one wrapping round to the start of the order: NT-Xent's
            // value depends on the batch size (chance is log(2B - 1)), and so every image counts.
            int[] indices = new int[batch];
            for (int i = 0; i < batch; i++) {
                indices[i] = order[(b * batch + i) % n];
            }
            try (NDManager m = encoder.manager().newSubManager()) {
                BatchAugmenter augmenter = new BatchAugmenter(options.policy(),
                        Seeds.derive(options.seed(), VIEW_STREAM, b));
                NDList views = augmenter.twoViews(pre.pixels(data, indices, m));
                NDArray h = f.embed(encoder.normalization().apply(views.get(0).concat(views.get(1), 0)));
                NDArray z = g.forward(new ParameterStore(m, false), new NDList(h), false).singletonOrThrow();
                loss += NtXentLoss.compute(z, options.temperature()).getFloat();
                float[] both = h.toFloatArray();
                alignment += alignment(Arrays.copyOf(both, batch * d), Arrays.copyOfRange(both, batch * d, both.length), d);
            }
        }
        float[] centre = new EncoderFeatureExtractor(encoder, options.batchSize()).embed(data, ProgressListener.none());
        // kNN and retrieval compare what the artifact serves: h under its embedding transform where it has one.
        float[] served = encoder.transform() == null ? centre : encoder.transform().apply(centre);
        OptionalDouble knn = OptionalDouble.empty();
        if (data.labelled() && data.numClasses() > 0) {
            Features labelled = new Features(served, n, d, data.labels().clone(), data.numClasses());
            knn = OptionalDouble.of(KnnEvaluation.leaveOneOut(labelled, options.knn(), encoder.manager()).top1());
        }
        RetrievalResult retrieval = programmes == null ? null
                : RetrievalEvaluation.run(served, d, programmes, RetrievalEvaluation.Copies.none(),
                        RetrievalEvaluation.Options.defaults(options.seed()));
        return new QualityReport(loss / batches, alignment / batches, uniformity(centre, n, d, encoder.manager()),
                knn, n, retrieval);
    }

    /** A seeded shuffle: batches that mix the classes, as in training, even for a folder sorted by class. */
    private static int[] order(int n, long seed) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(Seeds.derive(seed, ORDER_STREAM, 0)));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Alignment with alpha = 2: the mean over rows i of ||u_i - v_i||^2, where u and v are the
     * L2-normalised rows of {@code h1} and {@code h2} (a zero row stays zero). The inputs are not
     * changed.
     *
     * @param h1 first views, row after row
     * @param h2 second views, row i the same image as row i of {@code h1}
     * @param dim length of a row
     * @return a value in [0, 4]; 0 when every pair points the same way
     */
    static double alignment(float[] h1, float[] h2, int dim) {
        if (h1.length != h2.length || h1.length == 0 || h1.length % dim != 0) {
            throw new IllegalArgumentException("need two non-empty arrays of the same whole number of " + dim
                    + "-long rows, got " + h1.length + " and " + h2.length + " floats");
        }
        int rows = h1.length / dim;
        float[] u = KnnEvaluation.normalised(h1, rows, dim);
        float[] v = KnnEvaluation.normalised(h2, rows, dim);
        double sum = 0;
        for (int i = 0; i < u.length; i++) {
            double diff = (double) u[i] - v[i];
            sum += diff * diff;
        }
        return sum / rows;
    }

    /**
     * Uniformity with t = 2: the log of the mean of exp(-2 ||u_i - u_j||^2) over the n(n - 1) / 2
     * distinct pairs of L2-normalised rows u (a zero row stays zero). Computed on the engine, a
     * chunk of rows against all at a time, so memory stays bounded. The input is not changed.
     *
     * @param h n rows, row after row
     * @param n rows, at least 2: a single row has no pair and no uniformity
     * @param dim length of a row
     * @param manager the arrays live under a sub-manager of it, freed on return
     * @return a value in [-8, 0]; 0 when all rows coincide, lower the more evenly they spread
     */
    static double uniformity(float[] h, int n, int dim, NDManager manager) {
        return uniformity(h, n, dim, KnnEvaluation.MAX_CHUNK_ELEMENTS, manager);
    }

    /** @param maxChunkElements bounds the distances computed at a time */
    static double uniformity(float[] h, int n, int dim, long maxChunkElements, NDManager manager) {
        if (n < 2) {
            throw new IllegalArgumentException("uniformity needs at least 2 rows (a pair), got " + n);
        }
        if (h.length != (long) n * dim) {
            throw new IllegalArgumentException("need " + n + " x " + dim + " floats, got " + h.length);
        }
        float[] u = KnnEvaluation.normalised(h, n, dim);
        float[] squares = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                squares[i] += u[i * dim + j] * u[i * dim + j];
            }
        }
        int chunk = (int) Math.max(1, Math.min(n, maxChunkElements / n));
        double sum = 0;
        try (NDManager m = manager.newSubManager()) {
            NDArray allT = m.create(u, new Shape(n, dim)).transpose();
            NDArray allSquares = m.create(squares, new Shape(1, n));
            for (int from = 0; from < n; from += chunk) {
                int rows = Math.min(chunk, n - from);
                try (NDManager c = m.newSubManager()) {
                    NDArray q = c.create(Arrays.copyOfRange(u, from * dim, (from + rows) * dim), new Shape(rows, dim));
                    NDArray qSquares = c.create(Arrays.copyOfRange(squares, from, from + rows), new Shape(rows, 1));
                    // ||a - b||^2 = |a|^2 + |b|^2 - 2 a.b, clipped at 0 against rounding
                    NDArray distance = qSquares.add(allSquares).sub(q.matMul(allT).mul(2)).clip(0f, 4f);
                    NDArray distinct = KnnEvaluation.diagonal(c, from, rows, n).neg().add(1f);
                    NDArray kernel = distance.mul(-2f).exp().mul(distinct);
                    sum += kernel.toType(DataType.FLOAT64, false).sum().getDouble();
                }
            }
        }
        return Math.log(sum / ((double) n * (n - 1)));
    }
}
