package io.planstream.simclr.eval;

import java.util.Objects;

import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.data.ImageDataset;

/** Another extractor's features under an {@link EmbeddingTransform}: what an artifact with one serves. */
final class TransformedFeatureExtractor implements FeatureExtractor {

    private final FeatureExtractor inner;
    private final EmbeddingTransform transform;

    TransformedFeatureExtractor(FeatureExtractor inner, EmbeddingTransform transform) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.transform = Objects.requireNonNull(transform, "transform");
    }

    @Override
    public Features extract(ImageDataset data, ProgressListener progress) {
        Features f = inner.extract(data, progress);
        if (f.dim() != transform.dim()) {
            throw new IllegalArgumentException("the transform takes " + transform.dim() + " features, "
                    + inner.description() + " gives " + f.dim());
        }
        return f.withValues(transform.apply(f.values()));
    }

    @Override
    public int dim(ImageDataset data) {
        return inner.dim(data);
    }

    @Override
    public String description() {
        return inner.description() + ", " + transform.description();
    }
}
