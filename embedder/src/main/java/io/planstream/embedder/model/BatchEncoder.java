package io.planstream.embedder.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.InferenceEncoder;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ResNet;
import io.planstream.simclr.model.ServingEncoder;
import io.planstream.simclr.model.TorchScriptEncoder;

/**
 * One model version's encoder f, ready to embed batches: a Planstream ResNet with batch norm folded into
 * the convolutions, or an imported TorchScript module, the weights on the chosen device. Not thread-safe:
 * each stream thread owns its own (see {@link EncoderPool}).
 *
 * <p>With {@code symmetries}, every image is embedded under the 8 rotations and mirrors of the square
 * (the dihedral group D4, label-preserving for a floor plan), the views of a small batch in one forward and those
 * of a large one in forwards of at most the batch size (see {@link #embed(List, boolean, int)}), and the
 * representation is the normalised mean: the same for a plan and any turned or mirrored copy of it.
 *
 * <p>Where the artifact carries an {@link EmbeddingTransform} (its training features' mean, taken away so that
 * unrelated plans score near 0), h goes through it before it is normalised.
 */
public final class BatchEncoder implements AutoCloseable {

    /** Most images in one forward pass where the caller names none. */
    public static final int DEFAULT_FORWARD_IMAGES = 32;
    private static final int SYMMETRIES = 8;

    private final int version;
    private final String architecture;
    private final int inputSize;
    private final int channels;
    private final Normalization normalization;
    private final NDManager manager;
    private final ServingEncoder encoder;
    private final EmbeddingTransform transform;
    /** The transform's mean (1 x d) and matrix (d x d, null for centre) on the encoder's device. */
    private final NDArray transformMean;
    private final NDArray transformMatrix;
    private final AtomicLong batches = new AtomicLong();

    private BatchEncoder(int version, String architecture, int inputSize, int channels, Normalization normalization,
                         NDManager manager, ServingEncoder encoder, EmbeddingTransform transform) {
        this.version = version;
        this.architecture = architecture;
        this.inputSize = inputSize;
        this.channels = channels;
        this.normalization = normalization;
        this.manager = manager;
        this.encoder = encoder;
        this.transform = transform;
        if (transform != null) {
            int d = transform.dim();
            transformMean = manager.create(transform.mean(), new Shape(1, d));
            transformMatrix = transform.matrix() == null ? null : manager.create(transform.matrix(), new Shape(d, d));
        } else {
            transformMean = null;
            transformMatrix = null;
        }
    }

    /**
     * Loads an artifact (checked against its hash and manifest) onto {@code device}: a model trained here, or
     * an imported TorchScript encoder, which is run once on a probe batch first.
     */
    public static BatchEncoder load(Path artifactDir, int version, Device device) throws ArtifactException {
        ModelManifest manifest = ModelArtifact.readManifest(artifactDir);
        NDManager manager = SimClrEngine.get().newBaseManager(device);
        try {
            EmbeddingTransform transform = EmbeddingTransform.read(artifactDir, manifest.embeddingDim());
            if (manifest.isTorchScript()) {
                TorchScriptEncoder module = ModelArtifact.loadTorchScript(artifactDir, device);
                return new BatchEncoder(version, manifest.architecture(), manifest.inputSize(), manifest.inputChannels(),
                        manifest.normalizationSpec(), manager, module, transform);
            }
            try (ModelArtifact artifact = ModelArtifact.load(artifactDir, manager)) {
                EncoderSpec spec = artifact.manifest().encoderSpec();
                return new BatchEncoder(version, spec.name(), spec.inputSize(), spec.inputChannels(), artifact.normalization(),
                        manager, InferenceEncoder.of(artifact.model().encoder(), manager), transform);
            }
        } catch (ArtifactException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** An encoder with seeded random weights: the starting point before any model version is published. */
    public static BatchEncoder random(EncoderSpec spec, int version, long seed, Device device) {
        NDManager manager = SimClrEngine.get().newBaseManager(device);
        ResNet net = SimClrEngine.seeded(seed, () -> {
            ResNet built = spec.build();
            built.initialize(manager, DataType.FLOAT32, spec.inputShape(1));
            return built;
        });
        return new BatchEncoder(version, spec.name(), spec.inputSize(), spec.inputChannels(),
                Normalization.centred(spec.inputChannels()), manager, InferenceEncoder.of(net, manager), null);
    }

    public int version() {
        return version;
    }

    /** The encoder's name: a ResNet's ({@code resnet-mini}, ...) or {@code torchscript}. */
    public String architecture() {
        return architecture;
    }

    /** Side in pixels of the square pictures the encoder takes. */
    public int inputSize() {
        return inputSize;
    }

    /** Channels of the pictures the encoder takes. */
    public int channels() {
        return channels;
    }

    public int dimension() {
        return encoder.embeddingDim();
    }

    /** @return what the artifact does to h before it is normalised and served; null for nothing */
    public EmbeddingTransform transform() {
        return transform;
    }

    /** Batches embedded so far (calls of {@link #embed} with at least one image): with the images, the mean batch size. */
    public long batches() {
        return batches.get();
    }

    /**
     * {@link #embed(List, boolean, int)} with forwards of up to {@value #DEFAULT_FORWARD_IMAGES} images, or of the
     * batch where it is larger.
     */
    public float[][] embed(List<float[]> images, boolean symmetries) {
        return embed(images, symmetries, Math.max(images.size(), DEFAULT_FORWARD_IMAGES));
    }

    /**
     * @param images preprocessed images, each {@code channels * size * size} floats in [0, 1]
     * @param maxForwardImages most images in one forward pass, with {@code symmetries}: the 8n views go through
     *     forwards of this many (rounded down to a multiple of 8 from 8 on) and one of what is left, so a batch of up
     *     to an eighth of it is one forward; without, the batch is one forward whatever its size
     * @return one L2-normalised vector per image, in order
     */
    public float[][] embed(List<float[]> images, boolean symmetries, int maxForwardImages) {
        Objects.requireNonNull(images, "images");
        if (maxForwardImages < 1) {
            throw new IllegalArgumentException("maxForwardImages must be at least 1, got " + maxForwardImages);
        }
        if (images.isEmpty()) {
            return new float[0][];
        }
        batches.incrementAndGet();
        int n = images.size();
        int c = channels;
        int s = inputSize;
        int per = c * s * s;
        float[] flat = new float[n * per];
        for (int i = 0; i < n; i++) {
            float[] img = images.get(i);
            if (img.length != per) {
                throw new IllegalArgumentException("image " + i + " has " + img.length + " values, the encoder takes " + per);
            }
            System.arraycopy(img, 0, flat, i * per, per);
        }
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(flat, new Shape(n, c, s, s));
            NDArray h;
            if (symmetries) {
                h = symmetricMean(step, x, forwardImages(maxForwardImages));
            } else {
                h = encoder.embed(normalization.apply(x));
            }
            if (transformMean != null) {
                h = h.sub(transformMean);
                if (transformMatrix != null) {
                    h = h.matMul(transformMatrix);
                }
            }
            NDArray norms = h.norm(new int[] {1}, true).maximum(1e-12f);
            float[] values = h.div(norms).toFloatArray();
            int d = dimension();
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                out[i] = java.util.Arrays.copyOfRange(values, i * d, (i + 1) * d);
            }
            return out;
        }
    }

    /**
     * The 8 views of the n images laid out view by view (8n images), cut into forwards of {@code chunk} images
     * each and the last of what is left: a batch of one plan is one forward of its 8 views instead of 8 forwards
     * of one image, and since 8n is a multiple of 8, a chunk that is one too gives forwards of only
     * {@code chunk / 8} sizes. Both matter on a CPU: an operator call costs about the same fixed overhead
     * whatever the batch, and the engine prepares its kernels for every new input size (tens of milliseconds
     * each, then kept in a cache of bounded size), so a stream of varying batches pays for few sizes.
     *
     * @return the mean over the views of each image's h, n x d
     */
    private NDArray symmetricMean(NDManager step, NDArray x, int chunk) {
        long n = x.getShape().get(0);
        long total = SYMMETRIES * n;
        NDList parts = new NDList();
        for (long from = 0; from < total; from += chunk) {
            long to = Math.min(total, from + chunk);
            try (NDManager scratch = step.newSubManager()) {
                scratch.tempAttachAll(x);
                NDList pieces = new NDList();
                for (long g = from / n; g * n < to; g++) {
                    long first = Math.max(from, g * n) - g * n;
                    long end = Math.min(to, (g + 1) * n) - g * n;
                    // The rows first, then the turn: a view cut between two forwards is turned in parts, not twice.
                    NDArray rows = first == 0 && end == n ? x : x.get(new NDIndex("{}:{}", first, end));
                    pieces.add(symmetry(rows, (int) g));
                }
                NDArray input = pieces.size() == 1 ? pieces.head() : NDArrays.concat(pieces, 0);
                NDArray part = encoder.embed(normalization.apply(input));
                part.attach(step);
                parts.add(part);
            }
        }
        NDArray all = parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0);
        return all.reshape(SYMMETRIES, n, -1).sum(new int[] {0}).div((float) SYMMETRIES);
    }

    /** Images in a forward of the views: {@code maxForwardImages}, less what it holds over a multiple of 8 from 8 on. */
    static int forwardImages(int maxForwardImages) {
        return maxForwardImages < SYMMETRIES ? maxForwardImages : maxForwardImages - maxForwardImages % SYMMETRIES;
    }

    /**
     * Image {@code g} (0-7) of each under the symmetries of the square: identity, the mirrors across
     * both axes, the half turn, and the same four after a transpose.
     */
    static NDArray symmetry(NDArray x, int g) {
        NDArray t = g < 4 ? x : x.transpose(0, 1, 3, 2);
        return switch (g % 4) {
            case 0 -> t;
            case 1 -> t.flip(3);
            case 2 -> t.flip(2);
            default -> t.flip(2, 3);
        };
    }

    @Override
    public void close() {
        encoder.close();
        manager.close();
    }
}
