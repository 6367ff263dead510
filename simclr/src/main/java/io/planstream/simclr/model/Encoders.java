package io.planstream.simclr.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/** Builds encoders from their names and measures them. */
public final class Encoders {

    private Encoders() {}

    /** @return a new, uninitialised encoder f(.) for the spec */
    public static ResNet create(EncoderSpec spec) {
        return spec.build();
    }

    /**
     * Counts the scalars of an initialised block.
     *
     * @param block an initialised block
     * @param trainableOnly count only what the optimiser updates (not batch-norm running statistics),
     *     the convention of published parameter counts
     * @return the number of scalars
     */
    public static long parameterCount(Block block, boolean trainableOnly) {
        long total = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            if (!param.isInitialized()) {
                throw new IllegalStateException(
                        "parameter " + p.getKey() + " is not initialised: initialise the block first");
            }
            if (!trainableOnly || param.requiresGradient()) {
                total += param.getArray().size();
            }
        }
        return total;
    }
}
