package io.planstream.simclr.model;

/**
 * The shape of the projection head g(.).
 *
 * @param layers linear layers: 2 as in SimCLR v1 (one hidden layer), 3 as in SimCLR v2
 * @param hiddenDim width of the hidden layers; 0 means "the same as h", SimCLR's choice
 * @param outputDim dimension of z; SimCLR uses 128
 * @param batchNorm batch norm after every linear layer, as in SimCLR's code (v2 and later v1 runs)
 */
public record ProjectionHeadSpec(int layers, int hiddenDim, int outputDim, boolean batchNorm) {

    public static final int DEFAULT_OUTPUT_DIM = 128;
    public static final int MAX_LAYERS = 4;
    public static final int MAX_DIM = 16384;

    public ProjectionHeadSpec {
        if (layers < 1 || layers > MAX_LAYERS) {
            throw new IllegalArgumentException(
                    "projection layers must be in [1, " + MAX_LAYERS + "], got: " + layers);
        }
        if (hiddenDim < 0 || hiddenDim > MAX_DIM) {
            throw new IllegalArgumentException(
                    "projection hiddenDim must be in [0, " + MAX_DIM + "], got: " + hiddenDim);
        }
        if (outputDim < 1 || outputDim > MAX_DIM) {
            throw new IllegalArgumentException(
                    "projection outputDim must be in [1, " + MAX_DIM + "], got: " + outputDim);
        }
    }

    /** @return SimCLR v1: Linear, ReLU, Linear to 128, hidden width = dim(h), no batch norm */
    public static ProjectionHeadSpec v1() {
        return new ProjectionHeadSpec(2, 0, DEFAULT_OUTPUT_DIM, false);
    }

    /** @return SimCLR v2: three layers with batch norm, hidden width = dim(h), output 128 */
    public static ProjectionHeadSpec v2() {
        return new ProjectionHeadSpec(3, 0, DEFAULT_OUTPUT_DIM, true);
    }

    /** @return this spec with the hidden width fixed for an encoder of dimension {@code h} */
    public ProjectionHeadSpec resolve(int h) {
        return hiddenDim == 0 ? new ProjectionHeadSpec(layers, h, outputDim, batchNorm) : this;
    }
}
