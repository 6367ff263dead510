package io.planstream.simclr.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Layer-wise Adaptive Rate Scaling (You, Gitman and Ginsburg, "Large Batch Training of
 * Convolutional Networks", 2017), in the form SimCLR uses (Chen et al., ICML 2020, section B.1 and
 * its {@code lars_optimizer.py}):
 *
 * <pre>
 *   g     = rescale x grad (+ wd x w      unless excluded)
 *   ratio = eta x ||w|| / ||g||           (1 if excluded, or either norm is 0)
 *   v     = momentum x v + lr x ratio x g
 *   w     = w - v
 * </pre>
 *
 * <p>Biases and batch-norm parameters are excluded from both weight decay and adaptation, as in
 * SimCLR. DJL hands {@link #update} a parameter's unique id, not its name, so the optimiser is
 * given the names once ({@link Builder#setParameterNames(Block)}) and applies the exclusion rule to
 * them. The trust ratio is computed on the parameter's device, with no copy to the host.
 */
public final class Lars extends Optimizer {

    /** SimCLR's exclusion: names with these parts are biases or batch-norm parameters. */
    public static final Predicate<String> BIAS_AND_BATCH_NORM =
            name -> {
                String n = name.toLowerCase(Locale.ROOT);
                return n.contains("bias")
                        || n.contains("gamma")
                        || n.contains("beta")
                        || n.contains("running")
                        || n.contains("batchnorm");
            };

    private final ParameterTracker learningRate;
    private final float momentum;
    private final float eta;
    private final Map<String, String> names;
    private final Predicate<String> excluded;
    private final Map<String, Map<Device, NDArray>> velocities = new ConcurrentHashMap<>();

    private Lars(Builder b) {
        super(b);
        this.learningRate = b.learningRate;
        this.momentum = b.momentum;
        this.eta = b.eta;
        this.names = Map.copyOf(b.names);
        this.excluded = b.excluded;
    }

    /** @return a builder; the learning-rate tracker and the parameter names are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param parameterId DJL's parameter id, or a parameter name
     * @return whether that parameter skips weight decay and adaptation
     */
    public boolean isExcluded(String parameterId) {
        return excluded.test(names.getOrDefault(parameterId, parameterId));
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        float lr = learningRate.getNewValue(parameterId, updateCount(parameterId));
        NDArray velocity =
                withDefaultState(velocities, parameterId, weight.getDevice(), k -> weight.zerosLike());
        boolean skip = isExcluded(parameterId);
        try (NDManager tmp = NDManager.subManagerOf(weight)) {
            // Temporaries land in tmp and are freed on return; the three arrays go back to their owners.
            tmp.tempAttachAll(weight, grad, velocity);
            NDArray g = grad.mul(rescaleGrad);
            if (clipGrad > 0) {
                g = g.clip(-clipGrad, clipGrad);
            }
            NDArray step;
            if (skip) {
                step = g.mul(lr);
            } else {
                float wd = getWeightDecay();
                if (wd != 0f) {
                    g = g.add(weight.mul(wd));
                }
                NDArray wNorm = weight.norm();
                NDArray gNorm = g.norm();
                NDArray bothPositive = wNorm.gt(0f).logicalAnd(gNorm.gt(0f));
                NDArray ratio =
                        NDArrays.where(
                                bothPositive,
                                wNorm.mul(eta).div(gNorm.maximum(Float.MIN_NORMAL)),
                                wNorm.onesLike());
                step = g.mul(ratio.mul(lr));
            }
            velocity.muli(momentum).addi(step);
            weight.subi(velocity);
        }
        zeroGradient(weight);
    }

    /**
     * DJL's PyTorch engine accumulates gradients across backward passes and leaves clearing them to
     * the optimiser (its own Sgd and Adam do it natively); DJL hands {@link #update} a copy of the
     * gradient, so the weight's own gradient has to be cleared here.
     */
    private static void zeroGradient(NDArray weight) {
        if (weight instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else if (weight.hasGradient()) {
            try (NDArray g = weight.getGradient()) {
                g.muli(0);
            }
        }
    }

    /** Builds a {@link Lars} optimiser with SimCLR's defaults (momentum 0.9, eta 0.001, wd 1e-6). */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private ParameterTracker learningRate;
        private float momentum = 0.9f;
        private float eta = 0.001f;
        private Map<String, String> names;
        private Predicate<String> excluded = BIAS_AND_BATCH_NORM;

        private Builder() {
            optWeightDecays(1e-6f);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @param tracker the learning rate per step, e.g. a {@link WarmupCosineSchedule} */
        public Builder setLearningRateTracker(ParameterTracker tracker) {
            this.learningRate = tracker;
            return this;
        }

        /** @param block the network whose parameters this optimiser will update */
        public Builder setParameterNames(Block block) {
            Map<String, String> map = new HashMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                map.put(p.getValue().getId(), p.getKey());
            }
            this.names = map;
            return this;
        }

        /** @param idToName parameter id to parameter name, for optimisers fed by hand */
        public Builder setParameterNames(Map<String, String> idToName) {
            this.names = new HashMap<>(idToName);
            return this;
        }

        /** @param momentum default 0.9 */
        public Builder optMomentum(float momentum) {
            this.momentum = momentum;
            return this;
        }

        /** @param eta the trust coefficient; default 0.001 (SimCLR) */
        public Builder optEta(float eta) {
            this.eta = eta;
            return this;
        }

        /** @param rule names that skip decay and adaptation; default biases and batch norm */
        public Builder optExcluded(Predicate<String> rule) {
            this.excluded = rule;
            return this;
        }

        public Lars build() {
            if (learningRate == null) {
                throw new IllegalArgumentException("learning-rate tracker must be set");
            }
            if (names == null) {
                throw new IllegalArgumentException(
                        "parameter names must be set: DJL passes ids, and without names no bias or"
                                + " batch-norm parameter could be excluded");
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got: " + momentum);
            }
            if (!(eta > 0)) {
                throw new IllegalArgumentException("eta must be > 0, got: " + eta);
            }
            if (excluded == null) {
                throw new IllegalArgumentException("exclusion rule must not be null");
            }
            return new Lars(this);
        }
    }
}
