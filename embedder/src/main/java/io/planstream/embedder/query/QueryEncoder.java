package io.planstream.embedder.query;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ai.djl.Device;

import io.planstream.avro.ImageRecord;
import io.planstream.avro.ModelVersion;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.models.ArtifactResolver;
import io.planstream.schemas.ImageRecords;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.data.PreprocessException;
import io.planstream.simclr.data.Preprocessor;
import io.planstream.simclr.model.EncoderSpec;

/**
 * Embeds a query image with the model version that answers queries, exactly as the embedder embeds
 * uploads (same preprocessing, same symmetries setting), so a query image finds itself.
 *
 * <p>Encoders are loaded on first use and kept for the two newest versions; a predictor is never shared
 * between threads, so queries take turns on it (query embedding is one image, a few milliseconds).
 */
public final class QueryEncoder implements AutoCloseable {

    private static final int KEEP = 2;

    private final EncoderSpec bootstrap;
    private final long bootstrapSeed;
    private final boolean symmetries;
    private final Device device;
    private final ArtifactResolver artifacts;
    private final TreeMap<Integer, BatchEncoder> encoders = new TreeMap<>();

    /**
     * @param bootstrap the encoder of version 0, with random weights from {@code bootstrapSeed}, as the
     *     embedder builds it
     * @param symmetries whether embeddings average the test-time views, as the embedder's do
     * @param artifacts the artifact cache the embedder role uses too: a version fetched once serves both
     */
    public QueryEncoder(EncoderSpec bootstrap, long bootstrapSeed, boolean symmetries, Device device, ArtifactResolver artifacts) {
        this.bootstrap = bootstrap;
        this.bootstrapSeed = bootstrapSeed;
        this.symmetries = symmetries;
        this.device = device;
        this.artifacts = artifacts;
    }

    /**
     * @param model the version's record from the models topic, or null for version 0 (the bootstrap encoder)
     * @throws PreprocessException where the picture cannot be prepared for the encoder
     * @throws ArtifactException where the version's artifact cannot be loaded
     */
    public synchronized float[] embed(ImageRecord image, int version, ModelVersion model) throws PreprocessException, ArtifactException {
        BatchEncoder encoder = encoders.get(version);
        if (encoder == null) {
            encoder = load(version, model);
            encoders.put(version, encoder);
            while (encoders.size() > KEEP) {
                encoders.pollFirstEntry().getValue().close();
            }
        }
        float[] x = new Preprocessor(encoder.inputSize(), encoder.channels()).apply(ImageRecords.picture(image));
        return encoder.embed(List.of(x), symmetries)[0];
    }

    private BatchEncoder load(int version, ModelVersion model) throws ArtifactException {
        if (model == null) {
            if (version != 0) {
                throw new ArtifactException("model version " + version + " has no record in the models topic");
            }
            return BatchEncoder.random(bootstrap, 0, bootstrapSeed, device);
        }
        Path dir = artifacts.resolve(model);
        return BatchEncoder.load(dir, version, device);
    }

    /** Versions with a loaded encoder. */
    public synchronized Map<Integer, String> loaded() {
        Map<Integer, String> out = new TreeMap<>();
        encoders.forEach((v, e) -> out.put(v, e.architecture()));
        return out;
    }

    @Override
    public synchronized void close() {
        encoders.values().forEach(BatchEncoder::close);
        encoders.clear();
    }
}
