package io.planstream.simclr.bench;

import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.Pair;

/**
 * Counts the floating-point operations of one forward pass of an initialised network, from the shapes
 * of its convolutions and fully connected layers (a multiply-add counts as two). Batch norm, ReLU,
 * pooling and additions are left out: they are a few percent of a ResNet's arithmetic, and leaving them
 * out is how the published FLOP counts of ResNets are made.
 */
public final class FlopCounter {

    private FlopCounter() {
    }

    /** Operations per image for the input shapes the block was initialised with. */
    public static double forwardFlopsPerImage(Block block) {
        return count(block) / batchOf(block);
    }

    private static double count(Block block) {
        if (block instanceof Convolution || block instanceof Linear) {
            Shape[] in = block.getInputShapes();
            Shape out = block.getOutputShapes(in)[0];
            Shape weight = block.getParameters().get("weight").getArray().getShape();
            // weight (out, in / groups, k...) or (out, in): one multiply-add per weight and output position,
            // where a position is (image, row, column) for a convolution and an image for a linear layer.
            long channels = block instanceof Linear ? out.get(out.dimension() - 1) : out.get(1);
            double positions = (double) out.size() / channels;
            return 2.0 * weight.size() * positions;
        }
        double total = 0;
        for (Pair<String, Block> child : block.getChildren()) {
            total += count(child.getValue());
        }
        return total;
    }

    private static double batchOf(Block block) {
        return block.getInputShapes()[0].get(0);
    }
}
