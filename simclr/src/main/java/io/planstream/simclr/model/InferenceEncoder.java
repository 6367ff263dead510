package io.planstream.simclr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.planstream.simclr.SimClrEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * An inference-only copy of a {@link ResNet} with every batch norm folded into the convolution
 * before it: with running statistics, {@code BN(W * x) = (s W) * x + (beta - s mean)} where {@code
 * s = gamma / sqrt(var + eps)}. That removes a full pass over every activation per layer (20 of
 * them in ResNet-18), which is what a forward pass on a CPU mostly waits for besides the
 * convolutions. The result equals the network's inference-mode forward pass up to float rounding.
 *
 * <p>A snapshot: later training of the source network does not change it. Holds its own copies of
 * the folded weights on the device of the source parameters; close it to free them. Thread-safe
 * for concurrent {@link #embed} calls (it only reads its weights), each with its own input arrays.
 */
public final class InferenceEncoder implements ServingEncoder {

    private final NDManager manager;
    private final FoldedConv stem;
    private final boolean maxPool;
    private final List<FoldedConv[]> branches = new ArrayList<>();
    private final List<FoldedConv> shortcuts = new ArrayList<>();
    private final int embeddingDim;

    private InferenceEncoder(ResNet net, NDManager parent) {
        if (!net.isInitialized()) {
            throw new IllegalArgumentException("the network has no parameters yet: initialise it first");
        }
        NDArray probe = net.stemConv().getParameters().get("weight").getArray();
        this.manager = parent.newSubManager(probe.getDevice());
        try {
            this.stem = fold(net.stemConv(), net.stemNorm());
            this.maxPool = net.stem() == Stem.IMAGENET;
            for (ResidualUnit unit : net.units()) {
                List<Conv2d> convs = unit.convs();
                List<BatchNorm> norms = unit.norms();
                FoldedConv[] branch = new FoldedConv[convs.size()];
                for (int i = 0; i < branch.length; i++) {
                    branch[i] = fold(convs.get(i), norms.get(i));
                }
                branches.add(branch);
                shortcuts.add(
                        unit.shortcutConv() == null
                                ? null
                                : fold(unit.shortcutConv(), unit.shortcutNorm()));
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.embeddingDim = net.embeddingDim();
    }

    /**
     * @param net an initialised network; its parameters are read now and not changed
     * @param parent the manager under which the folded weights live (a sub-manager is used)
     * @return the folded copy
     */
    public static InferenceEncoder of(ResNet net, NDManager parent) {
        SimClrEngine.noGradientsInThisThread();
        return new InferenceEncoder(net, parent);
    }

    @Override
    public int embeddingDim() {
        return embeddingDim;
    }

    @Override
    public NDArray embed(NDArray images) {
        SimClrEngine.noGradientsInThisThread();
        NDManager owner = images.getManager();
        try (NDManager scratch = owner.newSubManager(images.getDevice())) {
            // Temporarily owned by scratch, so every intermediate result is freed on return.
            scratch.tempAttachAll(images);
            // Each intermediate is closed as soon as the next layer has read it, so a forward holds
            // about three activations at a time instead of all of them until scratch closes: the
            // working set of a batch (and what the allocator keeps after it) drops by the depth.
            NDArray x = reluAndClose(stem.apply(images));
            if (maxPool) {
                x = closeAfter(x, Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false));
            }
            for (int u = 0; u < branches.size(); u++) {
                FoldedConv[] branch = branches.get(u);
                NDArray y = x;
                for (int i = 0; i < branch.length; i++) {
                    NDArray next = branch[i].apply(y);
                    if (y != x) {
                        y.close();
                    }
                    y = i < branch.length - 1 ? reluAndClose(next) : next;
                }
                FoldedConv shortcut = shortcuts.get(u);
                if (shortcut == null) {
                    y.addi(x);
                } else {
                    try (NDArray projected = shortcut.apply(x)) {
                        y.addi(projected);
                    }
                }
                x.close();
                x = reluAndClose(y);
            }
            NDArray h = closeAfter(x, Pool.globalAvgPool2d(x));
            h.attach(owner);
            return h;
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    private static NDArray reluAndClose(NDArray t) {
        return closeAfter(t, Activation.relu(t));
    }

    /** Closes {@code used}, which {@code result} was computed from, and returns {@code result}. */
    private static NDArray closeAfter(NDArray used, NDArray result) {
        used.close();
        return result;
    }

    private FoldedConv fold(Conv2d conv, BatchNorm norm) {
        NDArray w = conv.getParameters().get("weight").getArray();
        NDArray gamma = norm.getParameters().get("gamma").getArray();
        NDArray beta = norm.getParameters().get("beta").getArray();
        NDArray mean = norm.getParameters().get("runningMean").getArray();
        NDArray var = norm.getParameters().get("runningVar").getArray();
        try (NDManager scratch = manager.newSubManager()) {
            // The parameters visit scratch so that every intermediate is freed here, not left on
            // the network's manager; they go back to their owner when scratch closes.
            scratch.tempAttachAll(w, gamma, beta, mean, var);
            NDArray scale = gamma.div(var.add(ResidualUnit.NORM_EPSILON).sqrt());
            NDArray weight = w.mul(scale.reshape(-1, 1, 1, 1));
            NDArray bias = beta.sub(mean.mul(scale));
            weight.attach(manager);
            bias.attach(manager);
            return new FoldedConv(weight, bias, conv.getStride(), conv.getPadding());
        }
    }

    private record FoldedConv(NDArray weight, NDArray bias, Shape stride, Shape padding) {
        NDArray apply(NDArray x) {
            NDList out = Conv2d.conv2d(x, weight, bias, stride, padding);
            return out.singletonOrThrow();
        }
    }
}
