package io.planstream.simclr.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.InferenceEncoder;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHead;
import io.planstream.simclr.model.ResNet;
import java.nio.file.Path;

/**
 * The encoder f(.) under evaluation, with how its inputs are prepared: from a model artifact, or
 * with freshly initialised weights (the baseline a pretrained encoder has to beat). Evaluation
 * never changes its parameters; fine-tuning trains a copy.
 *
 * <p>Owns its parameters (and the batch-norm-folded copy used for feature extraction); close it
 * to free them. Not for concurrent use.
 */
public final class FrozenEncoder implements AutoCloseable {

    private final EncoderSpec spec;
    private final Normalization normalization;
    private final ResNet network;
    private final String description;
    private final NDManager manager;
    private final ModelArtifact artifact;
    private final EmbeddingTransform transform;
    private InferenceEncoder folded;

    private FrozenEncoder(EncoderSpec spec, Normalization normalization, ResNet network, String description,
                          NDManager manager, ModelArtifact artifact, EmbeddingTransform transform) {
        this.spec = spec;
        this.normalization = normalization;
        this.network = network;
        this.description = description;
        this.manager = manager;
        this.artifact = artifact;
        this.transform = transform;
    }

    /**
     * @param dir a model artifact directory
     * @param parent its device receives the parameters
     * @return the artifact's encoder, with the artifact's normalisation
     * @throws ArtifactException naming what is wrong with the artifact
     */
    public static FrozenEncoder load(Path dir, NDManager parent) throws ArtifactException {
        ModelArtifact a = ModelArtifact.load(dir, parent);
        try {
            EmbeddingTransform t = EmbeddingTransform.read(dir, a.manifest().embeddingDim());
            return new FrozenEncoder(a.model().encoderSpec(), a.normalization(), a.model().encoder(),
                    dir + " (" + a.manifest().version() + ")", parent.newSubManager(), a, t);
        } catch (ArtifactException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * A network being trained, frozen as it stands (batch norm on its running statistics), for features of its own
     * training images before it is saved. The network stays the caller's: closing this frees only the folded copy.
     *
     * @param network the trained encoder
     * @param spec what it is
     * @param normalization its inputs' normalisation
     * @param parent its device holds the folded copy
     */
    public static FrozenEncoder of(ResNet network, EncoderSpec spec, Normalization normalization, NDManager parent) {
        return new FrozenEncoder(spec, normalization, network, "the network in training", parent.newSubManager(), null,
                null);
    }

    /**
     * An encoder as pretraining starts it: the network's own initialisation, seeded through the
     * engine, and inputs centred to [-1, 1].
     *
     * @param spec the encoder
     * @param seed the engine's random seed for the initialisation
     * @param parent its device receives the parameters
     */
    public static FrozenEncoder random(EncoderSpec spec, long seed, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            ResNet net = SimClrEngine.seeded(seed, () -> {
                ResNet built = spec.build();
                built.initialize(m, DataType.FLOAT32, spec.inputShape(1));
                return built;
            });
            return new FrozenEncoder(spec, Normalization.centred(spec.inputChannels()), net,
                    "random " + spec.name() + " (seed " + seed + ")", m, null, null);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public EncoderSpec spec() {
        return spec;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** @return the network; valid until this is closed, and not to be trained */
    public ResNet network() {
        return network;
    }

    /** @return where the weights came from, for logs */
    public String description() {
        return description;
    }

    public int embeddingDim() {
        return spec.embeddingDim();
    }

    /** @return what the artifact does to h before serving it ({@link EmbeddingTransform#FILE}); null for none */
    public EmbeddingTransform transform() {
        return transform;
    }

    /**
     * @return g(.) of the artifact's model, sharing its parameters; not to be trained
     * @throws IllegalStateException for a {@link #random} encoder, which has no head
     */
    ProjectionHead head() {
        if (artifact == null) {
            throw new IllegalStateException(description + " has no projection head: load a model artifact");
        }
        return artifact.model().head();
    }

    /** @return a manager on the parameters' device, alive as long as this encoder */
    NDManager manager() {
        return manager;
    }

    ImagePreprocessor preprocessor() {
        return new ImagePreprocessor(spec.inputChannels(), spec.inputSize(), normalization);
    }

    /** @return the batch-norm-folded copy, built on first use */
    InferenceEncoder inference() {
        if (folded == null) {
            folded = InferenceEncoder.of(network, manager);
        }
        return folded;
    }

    @Override
    public void close() {
        if (folded != null) {
            folded.close();
        }
        manager.close();
        if (artifact != null) {
            artifact.close();
        }
    }
}
