package io.planstream.simclr.eval;

import io.planstream.simclr.data.ImageDataset;

/** Raw pixels as features: see {@link FeatureExtractor#pixels()}. */
final class PixelFeatureExtractor implements FeatureExtractor {

    /** Rows converted between progress updates. */
    private static final int CHUNK = 4096;

    @Override
    public Features extract(ImageDataset data, ProgressListener progress) {
        FeatureExtractor.requireLabels(data);
        int n = data.size();
        int d = data.imageBytes();
        float[] values = new float[n * d];
        for (int i = 0; i < n; i++) {
            data.copyAsFloats(i, values, i * d);
            if ((i + 1) % CHUNK == 0 || i + 1 == n) {
                progress.update(i + 1, n);
            }
        }
        return new Features(values, n, d, data.labels().clone(), data.numClasses());
    }

    @Override
    public int dim(ImageDataset data) {
        return data.imageBytes();
    }

    @Override
    public String description() {
        return "raw pixels";
    }
}
