package io.planstream.simclr.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Multinomial logistic regression with L2 regularisation, the classifier of SimCLR's linear
 * evaluation: it minimises
 *
 * <pre>
 *   L(W, b) = 1/n sum_i -log softmax(x_i W + b)[y_i]  +  lambda/2 ||W||^2
 * </pre>
 *
 * (the bias is not penalised) by full-batch L-BFGS (Nocedal and Wright, "Numerical Optimization",
 * algorithms 7.4 and 7.5; memory 10, backtracking line search with the Armijo condition). The
 * objective is convex and the start is zero (or a given warm start), so there is no seed: the same
 * data on the same device and thread count give the same model.
 *
 * <p>Why not a library: Smile 3 and later (the usual JVM choice, {@code smile.classification
 * .LogisticRegression}) is GPL-3.0 since 3.0, a licence this product would inherit, and its gradient is
 * plain Java loops; Tribuo trains its logistic regression by stochastic gradient descent, whose
 * result depends on a step schedule rather than converging to the regularised optimum; and
 * LIBLINEAR's logistic regression is one-vs-rest, not multinomial.
 * Here the two matrix products of each iteration run in libtorch (on the GPU where there is one),
 * and the few thousand parameters are updated in Java in double precision.
 *
 * <p>Precision: X, W and the two products are float32; log-softmax, the loss and P - Y are float64.
 */
public final class SoftmaxRegression {

    /** Correction pairs kept by L-BFGS. */
    static final int HISTORY = 10;

    /**
     * @param l2 lambda above, >= 0
     * @param maxIterations L-BFGS iterations at most
     * @param gradientTolerance stop when no gradient component exceeds this
     * @param relativeTolerance stop when an iteration lowers the loss by less than this fraction
     */
    public record Options(double l2, int maxIterations, double gradientTolerance, double relativeTolerance) {

        /**
         * Where test accuracy stops moving: on Fashion-MNIST pixels it changes by under 0.2 points
         * between 100 and 400 iterations at the strength the protocol picks. Weak strengths stop
         * here before converging, as scikit-learn's {@code max_iter} makes them.
         */
        public static final int DEFAULT_MAX_ITERATIONS = 200;

        public Options {
            if (!(l2 >= 0) || !Double.isFinite(l2)) {
                throw new IllegalArgumentException("l2 must be finite and >= 0, got " + l2);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            }
            if (!(gradientTolerance > 0) || !(relativeTolerance >= 0)) {
                throw new IllegalArgumentException("tolerances must be positive, got " + gradientTolerance + " and "
                        + relativeTolerance);
            }
        }

        /** @return tolerances tight enough that accuracy no longer moves: 1e-5 and 1e-9 */
        public static Options of(double l2) {
            return new Options(l2, DEFAULT_MAX_ITERATIONS, 1e-5, 1e-9);
        }

        public Options withMaxIterations(int n) {
            return new Options(l2, n, gradientTolerance, relativeTolerance);
        }
    }

    /**
     * A fitted classifier.
     *
     * @param weights {@code dim * classes}, row-major (dim, classes)
     * @param bias one per class
     * @param dim feature length
     * @param classes number of classes
     * @param loss the training objective reached
     * @param iterations L-BFGS iterations taken
     * @param converged whether a tolerance was met (rather than the iteration limit)
     */
    public record Model(float[] weights, float[] bias, int dim, int classes, double loss, int iterations,
                        boolean converged) {

        public Model {
            if (weights.length != dim * classes || bias.length != classes) {
                throw new IllegalArgumentException("weights must be dim x classes and bias one per class");
            }
        }

        /**
         * @param x (n, dim) features on any device
         * @return class scores (logits), {@code n * classes}, row after row
         */
        public double[] scores(NDArray x) {
            if (x.getShape().dimension() != 2 || x.getShape().get(1) != dim) {
                throw new IllegalArgumentException("features must be (n, " + dim + "), got " + x.getShape());
            }
            try (NDManager scratch = x.getManager().newSubManager(x.getDevice())) {
                scratch.tempAttachAll(x);
                NDArray w = scratch.create(weights, new Shape(dim, classes));
                NDArray b = scratch.create(bias, new Shape(classes));
                float[] s = x.matMul(w).add(b).toFloatArray();
                double[] out = new double[s.length];
                for (int i = 0; i < s.length; i++) {
                    out[i] = s[i];
                }
                return out;
            }
        }

        double[] parameters() {
            double[] theta = new double[weights.length + bias.length];
            for (int i = 0; i < weights.length; i++) {
                theta[i] = weights[i];
            }
            for (int c = 0; c < bias.length; c++) {
                theta[weights.length + c] = bias[c];
            }
            return theta;
        }
    }

    private SoftmaxRegression() {
    }

    /**
     * @param x (n, d) FLOAT32 features, ideally standardised; not changed
     * @param labels n class indices in [0, classes)
     * @param classes number of classes
     * @param options regularisation and stopping
     * @param warmStart a model of the same shape to start from (e.g. the fit at a neighbouring
     *     lambda), or null to start from zero
     * @return the fitted model
     */
    public static Model fit(NDArray x, int[] labels, int classes, Options options, Model warmStart) {
        return fit(x, labels, classes, options, warmStart, ProgressListener.none());
    }

    /**
     * As {@link #fit(NDArray, int[], int, Options, Model)}, telling {@code progress} the
     * iterations done out of {@code options.maxIterations()} after each.
     */
    public static Model fit(NDArray x, int[] labels, int classes, Options options, Model warmStart,
                            ProgressListener progress) {
        Shape shape = x.getShape();
        if (shape.dimension() != 2 || shape.get(0) != labels.length || labels.length == 0) {
            throw new IllegalArgumentException("need (n, d) features with n = " + labels.length + " > 0, got " + shape);
        }
        if (x.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("features must be FLOAT32, got " + x.getDataType());
        }
        int d = (int) shape.get(1);
        if (warmStart != null && (warmStart.dim() != d || warmStart.classes() != classes)) {
            throw new IllegalArgumentException("warm start is " + warmStart.dim() + " x " + warmStart.classes()
                    + ", the problem " + d + " x " + classes);
        }
        try (Objective objective = new Objective(x, labels, classes, options.l2())) {
            double[] theta = warmStart == null ? new double[(d + 1) * classes] : warmStart.parameters();
            Lbfgs.Result r = Lbfgs.minimize(objective, theta, options,
                    done -> progress.update(done, options.maxIterations()));
            float[] w = new float[d * classes];
            float[] b = new float[classes];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.x()[i];
            }
            for (int c = 0; c < classes; c++) {
                b[c] = (float) r.x()[w.length + c];
            }
            return new Model(w, b, d, classes, r.value(), r.iterations(), r.converged());
        }
    }

    /**
     * The loss and its gradient, evaluated with the data on the engine. The logits are computed as
     * {@code W^T X^T}, (k, n), from a contiguous copy of X^T, and the gradient as {@code (P - Y)^T X}:
     * with few classes both products then read a long contiguous operand row by row, which on a
     * CPU is about twice as fast as {@code X W} and four times {@code X^T (P - Y)} on a transposed
     * view. The price is a second copy of the features on the device for the length of a fit.
     */
    static final class Objective implements Lbfgs.Function, AutoCloseable {

        private final NDArray x;
        private final NDArray xT;
        private final NDArray oneHotT;
        private final NDManager manager;
        private final int n;
        private final int d;
        private final int k;
        private final double l2;

        Objective(NDArray x, int[] labels, int classes, double l2) {
            this.x = x;
            this.n = labels.length;
            this.d = (int) x.getShape().get(1);
            this.k = classes;
            this.l2 = l2;
            double[] y = new double[k * n];
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= k) {
                    throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is not in [0, " + k + ")");
                }
                y[labels[i] * n + i] = 1;
            }
            this.manager = x.getManager().newSubManager(x.getDevice());
            try {
                this.oneHotT = manager.create(y, new Shape(k, n));
                NDArray t;
                try (NDManager scratch = manager.newSubManager()) {
                    scratch.tempAttachAll(x);
                    // flatten copies the transposed view into contiguous memory
                    t = x.transpose().flatten().reshape(d, n);
                    t.attach(manager);
                }
                this.xT = t;
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        @Override
        public int size() {
            return (d + 1) * k;
        }

        @Override
        public double evaluate(double[] theta, double[] gradient) {
            int wSize = d * k;
            float[] w = new float[wSize];
            float[] b = new float[k];
            double penalty = 0;
            for (int i = 0; i < wSize; i++) {
                w[i] = (float) theta[i];
                penalty += theta[i] * theta[i];
            }
            for (int c = 0; c < k; c++) {
                b[c] = (float) theta[wSize + c];
            }
            double nll;
            float[] gwT;
            double[] gb;
            try (NDManager scratch = manager.newSubManager()) {
                // the data visit scratch so that every intermediate dies with it
                scratch.tempAttachAll(x, xT, oneHotT);
                NDArray wT = scratch.create(transpose(w, d, k), new Shape(k, d));
                NDArray logitsT = wT.matMul(xT).add(scratch.create(b, new Shape(k, 1)));
                NDArray logp = logitsT.toType(DataType.FLOAT64, false).logSoftmax(0);
                nll = -logp.mul(oneHotT).sum().getDouble() / n;
                NDArray residualT = logp.exp().sub(oneHotT).div(n);
                gb = residualT.sum(new int[] {1}).toDoubleArray();
                gwT = residualT.toType(DataType.FLOAT32, false).matMul(x).toFloatArray();
            }
            for (int j = 0; j < d; j++) {
                for (int c = 0; c < k; c++) {
                    int i = j * k + c;
                    gradient[i] = gwT[c * d + j] + l2 * theta[i];
                }
            }
            System.arraycopy(gb, 0, gradient, wSize, k);
            return nll + 0.5 * l2 * penalty;
        }

        @Override
        public void close() {
            manager.close();
        }

        private static float[] transpose(float[] a, int rows, int cols) {
            float[] t = new float[a.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    t[c * rows + r] = a[r * cols + c];
                }
            }
            return t;
        }
    }
}
