package io.planstream.simclr.eval;

import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.data.ImageDataset;

/**
 * Turns every image of a labelled data set into a feature vector, without augmentation and in
 * data-set order. The evaluation protocols only see what comes out.
 */
public interface FeatureExtractor {

    /** Images per batch by default: large enough to keep the engine busy, small enough for a CPU cache. */
    int DEFAULT_BATCH = 256;
    int MAX_BATCH = 8192;

    /**
     * @param data labelled images
     * @param progress told the number of images done after each batch
     * @return one row per image, with the data set's labels
     * @throws IllegalArgumentException if the data are unlabelled or cannot be fed to the extractor
     */
    Features extract(ImageDataset data, ProgressListener progress);

    /** @return the length of the vectors for images of this data set */
    int dim(ImageDataset data);

    /** @return what the features are, for logs and results */
    String description();

    /**
     * The representation h = f(x) of a frozen encoder, with batch norm folded into the
     * convolutions; each batch's arrays live on their own manager, closed after the batch.
     *
     * @param encoder the encoder; stays owned by the caller
     * @param batchSize images per forward pass, 1 to {@link #MAX_BATCH}
     */
    static FeatureExtractor encoder(FrozenEncoder encoder, int batchSize) {
        return new EncoderFeatureExtractor(encoder, batchSize);
    }

    /**
     * The features an artifact serves: h of {@link #encoder}, under the artifact's {@link EmbeddingTransform} where
     * it has one.
     */
    static FeatureExtractor served(FrozenEncoder encoder, int batchSize) {
        FeatureExtractor h = encoder(encoder, batchSize);
        return encoder.transform() == null ? h : transformed(h, encoder.transform());
    }

    /**
     * h of the un-augmented images, labelled or not, in data-set order: for fitting an {@link EmbeddingTransform}.
     *
     * @return {@code data.size() * dim} floats
     */
    static float[] embedAll(FrozenEncoder encoder, ImageDataset data, ProgressListener progress) {
        return new EncoderFeatureExtractor(encoder, DEFAULT_BATCH).embed(data, progress);
    }

    /**
     * The pixels themselves, flattened (channel, row, column) as floats in [0, 1]: the baseline of
     * a linear classifier on raw pixels. The linear protocol standardises them with statistics of
     * the training split, like any features.
     */
    static FeatureExtractor pixels() {
        return new PixelFeatureExtractor();
    }

    /**
     * {@code inner}'s features under {@code transform}, as an artifact that carries one serves them (not
     * normalised: every protocol that compares by cosine normalises).
     */
    static FeatureExtractor transformed(FeatureExtractor inner, EmbeddingTransform transform) {
        return new TransformedFeatureExtractor(inner, transform);
    }

    /** @throws IllegalArgumentException if some image has no label */
    static void requireLabels(ImageDataset data) {
        if (!data.labelled() || data.numClasses() == 0) {
            throw new IllegalArgumentException(data.name() + " is not labelled: evaluation needs a class for every image");
        }
    }
}
