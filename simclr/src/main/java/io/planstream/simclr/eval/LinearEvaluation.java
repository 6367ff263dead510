package io.planstream.simclr.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SimCLR's linear evaluation protocol (Chen et al. 2020, section 2.3 and appendix B.5): the
 * encoder stays frozen, a multinomial logistic regression with L2 regularisation is trained on
 * its features h of the training split, and the figure is top-1 accuracy on the test split.
 *
 * <p>As in the paper's transfer experiments, the regularisation strength is chosen on held-out
 * training data: a stratified, seeded 10% of the training split is set aside, each strength of the
 * grid is fitted on the rest (strongest first, each fit starting from the previous one), the best
 * validation top-1 wins (ties go to the stronger regularisation), and the classifier is refitted on
 * the whole training split. Features are standardised with the statistics of the rows being fitted.
 */
public final class LinearEvaluation {

    /** lambda of {@link SoftmaxRegression}, one decade apart. */
    public static final List<Double> DEFAULT_L2_GRID = List.of(1e-1, 1e-2, 1e-3, 1e-4, 1e-5);
    public static final double DEFAULT_VALIDATION_FRACTION = 0.1;

    /**
     * @param l2Grid the strengths to try, each finite and >= 0
     * @param validationFraction share of each class held out to choose the strength, in (0, 0.5]
     * @param maxIterations L-BFGS iterations per fit at most
     * @param seed the seed of the held-out selection
     */
    public record Options(List<Double> l2Grid, double validationFraction, int maxIterations, long seed) {

        public Options {
            if (l2Grid == null || l2Grid.isEmpty()) {
                throw new IllegalArgumentException("l2Grid must hold at least one strength");
            }
            for (Double l2 : l2Grid) {
                if (l2 == null || !(l2 >= 0) || !Double.isFinite(l2)) {
                    throw new IllegalArgumentException("every l2 must be finite and >= 0, got " + l2Grid);
                }
            }
            if (!(validationFraction > 0 && validationFraction <= 0.5)) {
                throw new IllegalArgumentException("validationFraction must be in (0, 0.5], got " + validationFraction);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            }
            List<Double> sorted = new ArrayList<>(l2Grid);
            sorted.sort((a, b) -> Double.compare(b, a));
            l2Grid = List.copyOf(sorted);
        }

        public static Options defaults(long seed) {
            return new Options(DEFAULT_L2_GRID, DEFAULT_VALIDATION_FRACTION, SoftmaxRegression.Options.DEFAULT_MAX_ITERATIONS,
                    seed);
        }
    }

    private LinearEvaluation() {
    }

    /**
     * @param train features of the training split
     * @param test features of the test split, same dimension and classes
     * @param options grid, held-out share, seed
     * @param manager the arrays of the fit live under a sub-manager of it, freed on return
     * @return top-1 (and top-5) accuracy on {@code test}, with the chosen strength
     */
    public static EvalResult run(Features train, Features test, Options options, NDManager manager) {
        return run(train, test, options, manager, ProgressListener.none());
    }

    /**
     * As {@link #run(Features, Features, Options, NDManager)}, telling {@code progress} the L-BFGS
     * iterations done out of the most the grid and the refit can take (a fit that converges early
     * skips ahead).
     */
    public static EvalResult run(Features train, Features test, Options options, NDManager manager,
                                 ProgressListener progress) {
        check(train, test);
        long budget = (long) (options.l2Grid().size() + 1) * options.maxIterations();
        long[] finished = {0};
        ProgressListener perFit = (done, total) -> progress.update(finished[0] + done, budget);
        long start = System.nanoTime();
        int classes = Math.max(train.numClasses(), test.numClasses());
        Map<String, Object> params = new LinkedHashMap<>();
        double l2;
        SoftmaxRegression.Model warm = null;
        int[][] split = holdOut(train.labels(), classes, options.validationFraction(), options.seed());
        try (NDManager m = manager.newSubManager()) {
            if (options.l2Grid().size() > 1 && split[1].length > 0 && split[0].length > 0) {
                Features fitPart = train.select(split[0]);
                Features valPart = train.select(split[1]);
                Standardizer st = Standardizer.fit(fitPart);
                double best = -1;
                double bestL2 = options.l2Grid().get(0);
                SoftmaxRegression.Model previous = null;
                Map<String, Double> curve = new LinkedHashMap<>();
                try (NDManager g = m.newSubManager()) {
                    NDArray xFit = toArray(g, st.apply(fitPart));
                    NDArray xVal = toArray(g, st.apply(valPart));
                    for (double candidate : options.l2Grid()) {
                        SoftmaxRegression.Model model = SoftmaxRegression.fit(xFit, fitPart.labels(), classes,
                                SoftmaxRegression.Options.of(candidate).withMaxIterations(options.maxIterations()), previous,
                                perFit);
                        finished[0] += options.maxIterations();
                        double acc = Accuracy.of(model.scores(xVal), valPart.labels(), classes).top1();
                        curve.put(Double.toString(candidate), acc);
                        if (acc > best) {
                            best = acc;
                            bestL2 = candidate;
                            warm = model;
                        }
                        previous = model;
                    }
                }
                l2 = bestL2;
                params.put("val_top1", best);
                params.put("val_top1_by_l2", curve);
            } else {
                l2 = options.l2Grid().get(0);
            }
            Standardizer st = Standardizer.fit(train);
            NDArray xTrain = toArray(m, st.apply(train));
            SoftmaxRegression.Model model = SoftmaxRegression.fit(xTrain, train.labels(), classes,
                    SoftmaxRegression.Options.of(l2).withMaxIterations(options.maxIterations()), warm, perFit);
            progress.update(budget, budget);
            xTrain.close();
            NDArray xTest = toArray(m, st.apply(test));
            Accuracy acc = Accuracy.of(model.scores(xTest), test.labels(), classes);
            params.put("l2", l2);
            params.put("l2_grid", options.l2Grid());
            params.put("validation_fraction", options.validationFraction());
            params.put("n_validation", split[1].length);
            params.put("lbfgs_iterations", model.iterations());
            params.put("max_iterations", options.maxIterations());
            params.put("converged", model.converged());
            params.put("train_loss", model.loss());
            params.put("standardized", true);
            params.put("seed", options.seed());
            double seconds = (System.nanoTime() - start) / 1e9;
            return new EvalResult(Protocol.LINEAR, acc.top1(), acc.top5(), train.count(), test.count(), train.dim(),
                    seconds, params);
        }
    }

    static void check(Features train, Features test) {
        if (train.dim() != test.dim()) {
            throw new IllegalArgumentException("train features have dimension " + train.dim() + ", test features "
                    + test.dim());
        }
        if (train.count() == 0 || test.count() == 0) {
            throw new IllegalArgumentException("need training and test rows, got " + train.count() + " and "
                    + test.count());
        }
    }

    static NDArray toArray(NDManager manager, Features f) {
        return manager.create(f.values(), new Shape(f.count(), f.dim()));
    }

    /**
     * A stratified split of row indices: about {@code fraction} of each class (at least one where
     * the class has two or more rows) held out, chosen by a seeded shuffle.
     *
     * @return {fitted rows, held-out rows}, each in ascending order
     */
    static int[][] holdOut(int[] labels, int classes, double fraction, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        Random random = new Random(seed);
        boolean[] held = new boolean[labels.length];
        int heldCount = 0;
        for (List<Integer> rows : byClass) {
            java.util.Collections.shuffle(rows, random);
            int take = rows.size() < 2 ? 0 : Math.max(1, (int) Math.round(fraction * rows.size()));
            for (int j = 0; j < take; j++) {
                held[rows.get(j)] = true;
            }
            heldCount += take;
        }
        int[] fit = new int[labels.length - heldCount];
        int[] val = new int[heldCount];
        int a = 0;
        int b = 0;
        for (int i = 0; i < labels.length; i++) {
            if (held[i]) {
                val[b++] = i;
            } else {
                fit[a++] = i;
            }
        }
        return new int[][] {fit, val};
    }
}
