package io.planstream.app.demo;

import java.util.Objects;

import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.eval.FeatureExtractor;
import io.planstream.simclr.eval.Features;
import io.planstream.simclr.eval.ProgressListener;

/**
 * The features the embedder serves with its symmetries on: for every image, the mean of another extractor's
 * features over the 8 symmetries of the square (the identity and {@link PlanTransform}'s seven), so that a plan
 * turned or flipped has the same features. Eight passes over the data, one per symmetry.
 */
public final class SymmetricFeatureExtractor implements FeatureExtractor {

    private static final int SYMMETRIES = 1 + PlanTransform.values().length;

    private final FeatureExtractor inner;

    public SymmetricFeatureExtractor(FeatureExtractor inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public Features extract(ImageDataset data, ProgressListener progress) {
        long total = (long) SYMMETRIES * data.size();
        Features identity = inner.extract(data, (done, ignored) -> progress.update(done, total));
        float[] sum = identity.values().clone();
        int pass = 1;
        for (PlanTransform t : PlanTransform.values()) {
            long offset = (long) pass++ * data.size();
            float[] values = inner.extract(t.apply(data), (done, ignored) -> progress.update(offset + done, total)).values();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += values[i];
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= SYMMETRIES;
        }
        return identity.withValues(sum);
    }

    @Override
    public int dim(ImageDataset data) {
        return inner.dim(data);
    }

    @Override
    public String description() {
        return inner.description() + ", the mean over the 8 symmetries of the square (as the embedder serves them)";
    }
}
