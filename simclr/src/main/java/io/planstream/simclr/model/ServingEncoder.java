package io.planstream.simclr.model;

import ai.djl.ndarray.NDArray;

/**
 * An encoder f(.) ready to embed normalised batches: a Planstream ResNet with its batch norms folded
 * ({@link InferenceEncoder}) or an imported TorchScript module ({@link TorchScriptEncoder}). Owns its
 * weights; close it to free them.
 */
public interface ServingEncoder extends AutoCloseable {

    /** @return the dimension of h */
    int embeddingDim();

    /**
     * @param images a normalised batch (N, C, H, W) on the device of the weights
     * @return h, (N, D), attached to the manager of {@code images}; no other array is left there
     */
    NDArray embed(NDArray images);

    @Override
    void close();
}
