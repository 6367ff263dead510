package io.planstream.simclr.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * SimCLR's network (Chen et al., "A Simple Framework for Contrastive Learning of Visual
 * Representations", ICML 2020, figure 2): the encoder f(.) and the projection head g(.). The
 * forward pass returns {@code [h, z]}, h = f(x) for downstream use and z = g(h) for the loss.
 */
public final class SimClrModel extends AbstractBlock {

    private static final byte VERSION = 1;

    private final EncoderSpec encoderSpec;
    private final ProjectionHeadSpec headSpec;
    private final ResNet encoder;
    private final ProjectionHead head;

    private SimClrModel(Builder b) {
        super(VERSION);
        this.encoderSpec = b.encoder;
        ResNet f = b.encoder.build();
        this.encoder = addChildBlock("encoder", f);
        this.head =
                addChildBlock(
                        "head",
                        ProjectionHead.builder()
                                .setInputDim(f.embeddingDim())
                                .setSpec(b.head)
                                .build());
        this.headSpec = head.spec();
    }

    /** @return a builder; {@code setEncoder} is required, the head defaults to SimCLR v1's */
    public static Builder builder() {
        return new Builder();
    }

    /** @return f(.) alone, sharing parameters with this model */
    public ResNet encoder() {
        return encoder;
    }

    /** @return g(.) alone, sharing parameters with this model */
    public ProjectionHead head() {
        return head;
    }

    public EncoderSpec encoderSpec() {
        return encoderSpec;
    }

    /** @return the head's shape with its hidden width resolved */
    public ProjectionHeadSpec headSpec() {
        return headSpec;
    }

    /** Initialises every parameter for a batch of the spec's input shape. */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, encoderSpec.inputShape(1));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList h = encoder.forward(parameterStore, inputs, training, params);
        NDList z = head.forward(parameterStore, h, training, params);
        return new NDList(h.singletonOrThrow(), z.singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] h = encoder.getOutputShapes(inputShapes);
        return new Shape[] {h[0], head.getOutputShapes(h)[0]};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, encoder.getOutputShapes(inputShapes));
    }

    /** Builds a {@link SimClrModel}. */
    public static final class Builder {
        private EncoderSpec encoder;
        private ProjectionHeadSpec head = ProjectionHeadSpec.v1();

        private Builder() {}

        public Builder setEncoder(EncoderSpec encoder) {
            this.encoder = encoder;
            return this;
        }

        /** @param head the projection head; SimCLR v1's 2-layer MLP to 128 by default */
        public Builder optHead(ProjectionHeadSpec head) {
            this.head = head;
            return this;
        }

        public SimClrModel build() {
            if (encoder == null) {
                throw new IllegalArgumentException("encoder must be set");
            }
            if (head == null) {
                throw new IllegalArgumentException("head must not be null");
            }
            return new SimClrModel(this);
        }
    }
}
