package io.planstream.simclr.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The encoder f(.) of SimCLR (Chen et al., "A Simple Framework for Contrastive Learning of Visual
 * Representations", ICML 2020): a ResNet (He et al., "Deep Residual Learning for Image
 * Recognition", CVPR 2016) without its classifier, ending in global average pooling, so its output
 * is the representation h. SimCLR's wide variants multiply every channel width, the stem's
 * included, by the width multiplier.
 *
 * <p>Built from scratch: DJL's model-zoo {@code ResNetV1} "18" is not the standard network.
 * Convolution weights start from He-normal with fan-out (torchvision and SimCLR's code).
 */
public final class ResNet extends AbstractBlock {

    private static final byte VERSION = 1;

    private final SequentialBlock stem;
    private final SequentialBlock stages;
    private final int embeddingDim;
    private final Stem stemKind;
    private final Conv2d stemConv;
    private final BatchNorm stemNorm;
    private final List<ResidualUnit> units = new ArrayList<>();

    private ResNet(Builder b) {
        super(VERSION);
        int stemWidth = b.widths[0] * b.widthMultiplier;
        stemKind = b.stem;
        stemNorm = ResidualUnit.norm();
        SequentialBlock s = new SequentialBlock();
        if (b.stem == Stem.IMAGENET) {
            stemConv = ResidualUnit.conv(stemWidth, 7, 2);
            s.add(stemConv)
                    .add(stemNorm)
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        } else {
            stemConv = ResidualUnit.conv(stemWidth, 3, 1);
            s.add(stemConv).add(stemNorm).add(Activation.reluBlock());
        }
        stem = addChildBlock("stem", s);
        SequentialBlock body = new SequentialBlock();
        int channels = stemWidth;
        for (int stage = 0; stage < b.depths.length; stage++) {
            int width = b.widths[stage] * b.widthMultiplier;
            for (int i = 0; i < b.depths[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                ResidualUnit unit =
                        new ResidualUnit(b.unit, channels, width, stride, b.zeroInitResidual);
                body.add(unit);
                units.add(unit);
                channels = unit.outChannels();
            }
        }
        stages = addChildBlock("stages", body);
        embeddingDim = channels;
        setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                Parameter.Type.WEIGHT);
    }

    /** @return a builder; {@code setUnit} and {@code setDepths} are required */
    public static Builder builder() {
        return new Builder();
    }

    Stem stem() {
        return stemKind;
    }

    Conv2d stemConv() {
        return stemConv;
    }

    BatchNorm stemNorm() {
        return stemNorm;
    }

    List<ResidualUnit> units() {
        return List.copyOf(units);
    }

    /** @return the dimension of h */
    public int embeddingDim() {
        return embeddingDim;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList x = stem.forward(parameterStore, inputs, training, params);
        x = stages.forward(parameterStore, x, training, params);
        return new NDList(Pool.globalAvgPool2d(x.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), embeddingDim)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        if (inputShapes.length != 1 || inputShapes[0].dimension() != 4) {
            throw new IllegalArgumentException(
                    "a ResNet takes one NCHW input, got: " + Arrays.toString(inputShapes));
        }
        stem.initialize(manager, dataType, inputShapes);
        Shape[] shapes = stem.getOutputShapes(inputShapes);
        stages.initialize(manager, dataType, shapes);
    }

    /** Builds a {@link ResNet}: the unit kind and the depths are required. */
    public static final class Builder {
        private ResidualUnit.Kind unit;
        private int[] depths;
        private int[] widths = {64, 128, 256, 512};
        private int widthMultiplier = 1;
        private Stem stem = Stem.IMAGENET;
        private boolean zeroInitResidual = true;

        private Builder() {}

        /** @param unit basic (ResNet-18/34) or bottleneck (ResNet-50 and deeper) */
        public Builder setUnit(ResidualUnit.Kind unit) {
            this.unit = unit;
            return this;
        }

        /** @param depths units per stage, e.g. 2,2,2,2 for ResNet-18 */
        public Builder setDepths(int... depths) {
            this.depths = depths.clone();
            return this;
        }

        /** @param widths the width of each stage before the multiplier; default 64-128-256-512 */
        public Builder optWidths(int... widths) {
            this.widths = widths.clone();
            return this;
        }

        /** @param multiplier SimCLR's width multiplier (1, 2, 4); default 1 */
        public Builder optWidthMultiplier(int multiplier) {
            this.widthMultiplier = multiplier;
            return this;
        }

        /** @param stem the ImageNet stem (default) or the small-image stem */
        public Builder optStem(Stem stem) {
            this.stem = stem;
            return this;
        }

        /** @param zero start each unit's last batch-norm scale at zero; default true */
        public Builder optZeroInitResidual(boolean zero) {
            this.zeroInitResidual = zero;
            return this;
        }

        /** @return the network, uninitialised */
        public ResNet build() {
            if (unit == null) {
                throw new IllegalArgumentException("unit must be set (BASIC or BOTTLENECK)");
            }
            if (depths == null || depths.length == 0) {
                throw new IllegalArgumentException("depths must be set");
            }
            if (widths.length != depths.length) {
                throw new IllegalArgumentException(
                        "widths and depths must have one entry per stage, got widths "
                                + Arrays.toString(widths)
                                + " and depths "
                                + Arrays.toString(depths));
            }
            if (Arrays.stream(depths).anyMatch(d -> d < 1)) {
                throw new IllegalArgumentException(
                        "every depth must be >= 1, got: " + Arrays.toString(depths));
            }
            if (Arrays.stream(widths).anyMatch(w -> w < 1)) {
                throw new IllegalArgumentException(
                        "every width must be >= 1, got: " + Arrays.toString(widths));
            }
            if (widthMultiplier < 1 || widthMultiplier > 8) {
                throw new IllegalArgumentException(
                        "widthMultiplier must be in [1, 8], got: " + widthMultiplier);
            }
            if (stem == null) {
                throw new IllegalArgumentException("stem must not be null");
            }
            return new ResNet(this);
        }
    }
}
