package io.planstream.simclr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * One residual unit of He et al., "Deep Residual Learning for Image Recognition", CVPR 2016: the
 * basic unit (two 3x3 convolutions, ResNet-18/34) or the bottleneck unit (1x1, 3x3, 1x1 with
 * expansion 4, ResNet-50). The stride sits on the 3x3 convolution of a bottleneck ("ResNet v1.5",
 * as in torchvision and SimCLR's own code); the parameter count is the same either way.
 *
 * <p>The shortcut is the identity where the shape is kept and a projection (1x1 convolution with
 * the unit's stride, then batch norm) where it changes ("option B"). Convolutions have no bias: the
 * batch norm after each one has its own shift.
 */
public final class ResidualUnit extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Batch-norm epsilon, as in torchvision. */
    static final float NORM_EPSILON = 1e-5f;

    /** The two unit designs of the paper. */
    public enum Kind {
        BASIC(1),
        BOTTLENECK(4);

        private final int expansion;

        Kind(int expansion) {
            this.expansion = expansion;
        }

        /** @return output channels per unit of width */
        public int expansion() {
            return expansion;
        }
    }

    private final Block residual;
    private final Block shortcut;
    private final int outChannels;
    // The layers again, in order, for InferenceEncoder to fold: conv, norm, conv, norm[, conv, norm].
    private final List<Conv2d> convs = new ArrayList<>();
    private final List<BatchNorm> norms = new ArrayList<>();
    private Conv2d shortcutConv;
    private BatchNorm shortcutNorm;

    /**
     * @param kind basic or bottleneck
     * @param inChannels channels entering the unit
     * @param width the unit's width (output channels are width x expansion)
     * @param stride 1, or 2 for the first unit of a down-sampling stage
     * @param zeroInitLastNorm start the residual branch's last batch-norm scale at zero, so every
     *     unit starts as the identity (Goyal et al. 2017; SimCLR's code does this)
     */
    ResidualUnit(Kind kind, int inChannels, int width, int stride, boolean zeroInitLastNorm) {
        super(VERSION);
        this.outChannels = width * kind.expansion();
        SequentialBlock branch = new SequentialBlock();
        int[] kernels = kind == Kind.BASIC ? new int[] {3, 3} : new int[] {1, 3, 1};
        int[] strides = kind == Kind.BASIC ? new int[] {stride, 1} : new int[] {1, stride, 1};
        BatchNorm last = null;
        for (int i = 0; i < kernels.length; i++) {
            boolean lastLayer = i == kernels.length - 1;
            Conv2d c = conv(lastLayer ? outChannels : width, kernels[i], strides[i]);
            BatchNorm n = norm();
            convs.add(c);
            norms.add(n);
            branch.add(c).add(n);
            if (!lastLayer) {
                branch.add(Activation.reluBlock());
            }
            last = n;
        }
        if (zeroInitLastNorm) {
            last.setInitializer(Initializer.ZEROS, Parameter.Type.GAMMA);
        }
        residual = addChildBlock("residual", branch);
        if (stride != 1 || inChannels != outChannels) {
            shortcutConv = conv(outChannels, 1, stride);
            shortcutNorm = norm();
            shortcut =
                    addChildBlock(
                            "shortcut", new SequentialBlock().add(shortcutConv).add(shortcutNorm));
        } else {
            shortcut = null;
        }
    }

    static Conv2d conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(false)
                .build();
    }

    static BatchNorm norm() {
        // DJL's momentum is the weight of the running value: 0.9 is SimCLR's batch-norm decay.
        return BatchNorm.builder().optMomentum(0.9f).optEpsilon(NORM_EPSILON).build();
    }

    /** The residual branch's convolutions, in order. */
    List<Conv2d> convs() {
        return List.copyOf(convs);
    }

    /** The batch norm after each of {@link #convs()}. */
    List<BatchNorm> norms() {
        return List.copyOf(norms);
    }

    /** The projection shortcut's convolution, or null for the identity. */
    Conv2d shortcutConv() {
        return shortcutConv;
    }

    BatchNorm shortcutNorm() {
        return shortcutNorm;
    }

    /** @return the channels this unit outputs */
    public int outChannels() {
        return outChannels;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = residual.forward(parameterStore, inputs, training, params).singletonOrThrow();
        NDArray s =
                shortcut == null
                        ? x
                        : shortcut.forward(parameterStore, inputs, training, params)
                                .singletonOrThrow();
        // In place: the sum is a fresh array (batch norm's output, which its backward pass does not
        // need), and one activation-sized allocation less per unit is measurable on a CPU.
        y.addi(s);
        return new NDList(Activation.relu(y));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return residual.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        residual.initialize(manager, dataType, inputShapes);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
