package io.planstream.simclr.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;

/**
 * The normalised temperature-scaled cross-entropy loss of SimCLR (Chen et al., "A Simple Framework
 * for Contrastive Learning of Visual Representations", ICML 2020, equation 1).
 *
 * <p>For 2N projections z (views 0..N-1 of the images, then their second views N..2N-1), with
 * cosine similarity sim and temperature tau, view i's positive is view (i + N) mod 2N and
 *
 * <pre>
 *   l(i) = -log( exp(sim(i, pos(i)) / tau) / sum over k != i of exp(sim(i, k) / tau) )
 *   L    = mean over all 2N views of l(i)
 * </pre>
 *
 * <p>Written with array operations only (normalise, one matrix product, log-softmax, masks), so it
 * runs inside a DJL {@code GradientCollector} on any device and in any floating type. The diagonal
 * is excluded by subtracting a large finite constant rather than -infinity, which would turn the
 * masked-out terms into NaN (0 x -inf) in the sum.
 */
public final class NtXentLoss extends Loss {

    /** SimCLR's temperature for its large-batch ImageNet runs; CIFAR runs used 0.5. */
    public static final float DEFAULT_TEMPERATURE = 0.1f;

    private static final double MASK = 1e9;
    private static final double EPS = 1e-12;

    private final float temperature;

    /** @param temperature tau, > 0 */
    public NtXentLoss(float temperature) {
        this("nt_xent", temperature);
    }

    /**
     * @param name the name DJL's training listeners report
     * @param temperature tau, > 0
     */
    public NtXentLoss(String name, float temperature) {
        super(name);
        checkTemperature(temperature);
        this.temperature = temperature;
    }

    public float temperature() {
        return temperature;
    }

    /**
     * For DJL's trainer: the labels are ignored and the last prediction is z, (2N, d), first views
     * then second views. {@link io.planstream.simclr.model.SimClrModel} predicts {@code [h, z]}.
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("NT-Xent needs the projections z, got no predictions");
        }
        return compute(predictions.get(predictions.size() - 1), temperature);
    }

    /**
     * @param z1 the projections of the first views, (N, d)
     * @param z2 the projections of the second views, (N, d), row i the same image as z1's row i
     * @param temperature tau
     * @return the scalar loss, attached to z1's manager
     */
    public static NDArray compute(NDArray z1, NDArray z2, float temperature) {
        if (!z1.getShape().equals(z2.getShape()) || z1.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    "z1 and z2 must both be (N, d), got " + z1.getShape() + " and " + z2.getShape());
        }
        return compute(z1.concat(z2, 0), temperature);
    }

    /**
     * @param z the projections of 2N views, (2N, d): rows 0..N-1 first views, N..2N-1 second
     * @param temperature tau
     * @return the scalar loss, attached to z's manager
     */
    public static NDArray compute(NDArray z, float temperature) {
        checkTemperature(temperature);
        Shape shape = z.getShape();
        if (shape.dimension() != 2 || shape.get(0) < 2 || shape.get(0) % 2 != 0) {
            throw new IllegalArgumentException(
                    "z must be (2N, d) with N >= 1, got " + shape);
        }
        int views = (int) shape.get(0);
        int n = views / 2;
        NDManager manager = z.getManager();
        NDArray unit = z.normalize(2, 1, EPS);
        NDArray logits = unit.matMul(unit.transpose()).div(temperature);
        NDArray self = manager.eye(views, views, 0, z.getDataType());
        // [[0, I], [I, 0]]: row i has its one at column (i + N) mod 2N
        NDArray eye = manager.eye(n, n, 0, z.getDataType());
        NDArray zero = manager.zeros(new Shape(n, n), z.getDataType());
        NDArray positives = zero.concat(eye, 1).concat(eye.concat(zero, 1), 0);
        NDArray logProb = logits.sub(self.mul(MASK)).logSoftmax(1);
        return logProb.mul(positives).sum().neg().div(views);
    }

    private static void checkTemperature(float temperature) {
        if (!(temperature > 0) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be > 0, got: " + temperature);
        }
    }
}
