package io.planstream.simclr.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.planstream.simclr.SimClrEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An encoder f(.) exported from PyTorch as TorchScript ({@code torch.jit.trace} or {@code
 * torch.jit.script}, saved with {@code torch.jit.save}), run by the libtorch DJL bundles: the
 * module's {@code forward} must take one float batch (N, C, S, S) and return one (N, D) tensor.
 *
 * <p>Loading checks that: the module runs once on a probe batch of two images and its output must
 * be (2, D) with finite values, otherwise the load is refused with what came back. Forward passes
 * run in inference mode (batch norm with running statistics, no dropout) and record no gradients.
 *
 * <p>Not thread-safe: DJL switches a module between training and inference mode on each forward
 * pass, so every thread loads its own (as it does an {@link InferenceEncoder}).
 */
public final class TorchScriptEncoder implements ServingEncoder {

    /** The longest representation accepted: the vector index's limit. */
    public static final int MAX_EMBEDDING_DIM = 4096;

    /** Images in the probe batch: two, so a module that ignores the batch axis is caught. */
    static final int PROBE_BATCH = 2;

    private final Model model;
    private final Block block;
    private final int channels;
    private final int inputSize;
    private final int embeddingDim;

    private TorchScriptEncoder(Model model, int channels, int inputSize, int embeddingDim) {
        this.model = model;
        this.block = model.getBlock();
        this.channels = channels;
        this.inputSize = inputSize;
        this.embeddingDim = embeddingDim;
    }

    /**
     * Loads a TorchScript file and measures its output on a probe batch.
     *
     * @param file the module, as {@code torch.jit.save} wrote it
     * @param device where the module's weights go (a module saved on a GPU loads on a CPU too)
     * @param channels C of the input
     * @param inputSize S of the input
     * @return the encoder, its {@link #embeddingDim()} measured
     * @throws RefusedEncoderException when the file is no TorchScript module, the module fails on an
     *     (N, C, S, S) batch, or its output is not one (N, D) tensor of finite floats
     */
    public static TorchScriptEncoder load(Path file, Device device, int channels, int inputSize)
            throws RefusedEncoderException {
        SimClrEngine.noGradientsInThisThread();
        Model model = Model.newInstance(file.getFileName().toString(), device, SimClrEngine.ENGINE);
        try {
            try {
                // mapLocation: a module exported on a GPU keeps its device in the file.
                model.load(file, null, Map.of("mapLocation", "true"));
            } catch (IOException | MalformedModelException | EngineException e) {
                throw new RefusedEncoderException(
                        RefusedEncoderException.Reason.NOT_TORCHSCRIPT,
                        file.getFileName()
                                + " is not a TorchScript module (what torch.jit.save writes after"
                                + " torch.jit.trace or torch.jit.script; a state dict saved with torch.save"
                                + " holds no code to run): "
                                + summary(e),
                        e);
            }
            int dim = probe(model.getBlock(), model.getNDManager(), channels, inputSize);
            return new TorchScriptEncoder(model, channels, inputSize, dim);
        } catch (RefusedEncoderException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** @return the dimension of h, as measured at load */
    @Override
    public int embeddingDim() {
        return embeddingDim;
    }

    /** @return the module's scalars (its parameters, not its buffers) */
    public long parameterCount() {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            n += p.getValue().getArray().getShape().size();
        }
        return n;
    }

    @Override
    public NDArray embed(NDArray images) {
        SimClrEngine.noGradientsInThisThread();
        Shape in = images.getShape();
        if (in.dimension() != 4 || in.get(1) != channels || in.get(2) != inputSize || in.get(3) != inputSize) {
            throw new IllegalArgumentException(
                    "the encoder takes (N, " + channels + ", " + inputSize + ", " + inputSize + "), got " + in);
        }
        NDManager owner = images.getManager();
        try (NDManager scratch = owner.newSubManager(images.getDevice())) {
            // Temporarily owned by scratch, so whatever the forward pass leaves is freed on return.
            scratch.tempAttachAll(images);
            NDList out = block.forward(new ParameterStore(scratch, false), new NDList(images), false);
            NDArray h = out.singletonOrThrow();
            if (h.getShape().dimension() != 2
                    || h.getShape().get(0) != in.get(0)
                    || h.getShape().get(1) != embeddingDim) {
                throw new IllegalStateException(
                        "the TorchScript encoder returned " + h.getShape() + " for " + in
                                + " where it returned (N, " + embeddingDim + ") when it was loaded");
            }
            if (h.getDataType() != DataType.FLOAT32) {
                h = h.toType(DataType.FLOAT32, false);
            }
            h.attach(owner);
            return h;
        }
    }

    @Override
    public void close() {
        model.close();
    }

    /** One forward pass on a (2, C, S, S) ramp in [0, 1]; returns D or says what is wrong. */
    private static int probe(Block block, NDManager parent, int channels, int inputSize)
            throws RefusedEncoderException {
        Shape shape = new Shape(PROBE_BATCH, channels, inputSize, inputSize);
        try (NDManager scratch = parent.newSubManager()) {
            NDArray x = scratch.linspace(0f, 1f, (int) shape.size()).reshape(shape);
            NDList out;
            try {
                out = block.forward(new ParameterStore(scratch, false), new NDList(x), false);
            } catch (EngineException | IllegalArgumentException | IllegalStateException e) {
                throw new RefusedEncoderException(
                        RefusedEncoderException.Reason.FORWARD_FAILED,
                        "the module fails on a float input of shape " + describe(shape) + ": " + summary(e),
                        e);
            }
            if (out.size() != 1) {
                throw new RefusedEncoderException(
                        RefusedEncoderException.Reason.WRONG_OUTPUT,
                        "the module returns " + out.size() + " tensors for an input of shape " + describe(shape)
                                + "; an encoder must return one (N, D) tensor (export the encoder alone,"
                                + " without a projection head)",
                        null);
            }
            NDArray h = out.get(0);
            Shape got = h.getShape();
            if (got.dimension() != 2 || got.get(0) != PROBE_BATCH) {
                throw new RefusedEncoderException(
                        RefusedEncoderException.Reason.WRONG_OUTPUT,
                        "the module returns shape " + describe(got) + " for an input of shape " + describe(shape)
                                + "; an encoder must return (N, D)",
                        null);
            }
            if (!h.getDataType().isFloating()) {
                throw new RefusedEncoderException(
                        RefusedEncoderException.Reason.WRONG_OUTPUT,
                        "the module returns " + h.getDataType() + " values; an encoder must return floating-point features",
                        null);
            }
            long dim = got.get(1);
            if (dim < 1 || dim > MAX_EMBEDDING_DIM) {
                throw new RefusedEncoderException(
                        RefusedEncoderException.Reason.WRONG_OUTPUT,
                        "the module returns " + dim + "-dimensional features; the index takes 1 to "
                                + MAX_EMBEDDING_DIM,
                        null);
            }
            NDArray f = h.toType(DataType.FLOAT32, false);
            if (!f.isInfinite().logicalOr(f.isNaN()).none().getBoolean()) {
                throw new RefusedEncoderException(
                        RefusedEncoderException.Reason.WRONG_OUTPUT,
                        "the module returns values that are not finite for an input of shape " + describe(shape),
                        null);
            }
            return (int) dim;
        }
    }

    /** (2, 10, 4, 4), as PyTorch prints a size. */
    static String describe(Shape shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.dimension(); i++) {
            b.append(i == 0 ? "" : ", ").append(shape.get(i));
        }
        return b.append(shape.dimension() == 1 ? ",)" : ")").toString();
    }

    /**
     * The line of a libtorch message that says what went wrong: the interpreter's messages end with
     * it after a TorchScript traceback; others start with it, before a C++ stack trace.
     */
    private static String summary(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        List<String> lines = m.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        return m.contains("Traceback of TorchScript") ? lines.get(lines.size() - 1) : lines.get(0);
    }
}
