package io.planstream.simclr.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The projection head g(.) of SimCLR (Chen et al., ICML 2020, section 2.1; SimCLR v2, Chen et al.,
 * NeurIPS 2020, for the deeper head): an MLP from h to z with ReLU between the layers. The loss
 * sees z; downstream tasks use h.
 *
 * <p>With batch norm, linear layers lose their bias (the norm shifts) and the last norm has no
 * shift of its own, as in SimCLR's code.
 */
public final class ProjectionHead extends AbstractBlock {

    private static final byte VERSION = 1;

    private final SequentialBlock mlp;
    private final ProjectionHeadSpec spec;

    private ProjectionHead(Builder b) {
        super(VERSION);
        this.spec = b.spec.resolve(b.inputDim);
        SequentialBlock s = new SequentialBlock();
        for (int i = 0; i < spec.layers(); i++) {
            boolean last = i == spec.layers() - 1;
            int units = last ? spec.outputDim() : spec.hiddenDim();
            s.add(Linear.builder().setUnits(units).optBias(!spec.batchNorm()).build());
            if (spec.batchNorm()) {
                s.add(BatchNorm.builder().optMomentum(0.9f).optCenter(!last).build());
            }
            if (!last) {
                s.add(Activation.reluBlock());
            }
        }
        mlp = addChildBlock("mlp", s);
    }

    /** @return a builder; {@code setInputDim} and {@code setSpec} are required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the head's shape, hidden width resolved */
    public ProjectionHeadSpec spec() {
        return spec;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return mlp.forward(parameterStore, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), spec.outputDim())};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        mlp.initialize(manager, dataType, inputShapes);
    }

    /** Builds a {@link ProjectionHead}. */
    public static final class Builder {
        private int inputDim;
        private ProjectionHeadSpec spec;

        private Builder() {}

        /** @param inputDim the dimension of h */
        public Builder setInputDim(int inputDim) {
            this.inputDim = inputDim;
            return this;
        }

        /** @param spec layers, widths, batch norm */
        public Builder setSpec(ProjectionHeadSpec spec) {
            this.spec = spec;
            return this;
        }

        /** @return the head, uninitialised */
        public ProjectionHead build() {
            if (inputDim < 1) {
                throw new IllegalArgumentException("inputDim must be >= 1, got: " + inputDim);
            }
            if (spec == null) {
                throw new IllegalArgumentException("spec must be set");
            }
            return new ProjectionHead(this);
        }
    }
}
