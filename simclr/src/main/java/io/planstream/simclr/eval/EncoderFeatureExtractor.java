package io.planstream.simclr.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.InferenceEncoder;

/** h = f(x) of a frozen encoder: see {@link FeatureExtractor#encoder(FrozenEncoder, int)}. */
final class EncoderFeatureExtractor implements FeatureExtractor {

    private final FrozenEncoder encoder;
    private final int batchSize;

    EncoderFeatureExtractor(FrozenEncoder encoder, int batchSize) {
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new IllegalArgumentException("batchSize must be in [1, " + MAX_BATCH + "], got " + batchSize);
        }
        this.encoder = encoder;
        this.batchSize = batchSize;
    }

    @Override
    public Features extract(ImageDataset data, ProgressListener progress) {
        FeatureExtractor.requireLabels(data);
        return new Features(embed(data, progress), data.size(), encoder.embeddingDim(), data.labels().clone(),
                data.numClasses());
    }

    /**
     * h of every image, labelled or not, in data-set order.
     *
     * @return {@code data.size() * dim} floats, row after row
     */
    float[] embed(ImageDataset data, ProgressListener progress) {
        ImagePreprocessor pre = encoder.preprocessor();
        pre.check(data);
        InferenceEncoder f = encoder.inference();
        int n = data.size();
        int d = encoder.embeddingDim();
        float[] values = new float[n * d];
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            int[] indices = new int[to - from];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = from + i;
            }
            try (NDManager batch = encoder.manager().newSubManager()) {
                NDArray h = f.embed(pre.batch(data, indices, batch));
                System.arraycopy(h.toFloatArray(), 0, values, from * d, indices.length * d);
            }
            progress.update(to, n);
        }
        return values;
    }

    @Override
    public int dim(ImageDataset data) {
        return encoder.embeddingDim();
    }

    @Override
    public String description() {
        return "h of " + encoder.description();
    }
}
