package io.planstream.simclr.eval;

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
     * The pixels themselves, flattened (channel, row, column) as floats in [0, 1]: the baseline of
     * a linear classifier on raw pixels. The linear protocol standardises them with statistics of
     * the training split, like any features.
     */
    static FeatureExtractor pixels() {
        return new PixelFeatureExtractor();
    }

    /** @throws IllegalArgumentException if some image has no label */
    static void requireLabels(ImageDataset data) {
        if (!data.labelled() || data.numClasses() == 0) {
            throw new IllegalArgumentException(data.name() + " is not labelled: evaluation needs a class for every image");
        }
    }
}
