package io.planstream.simclr.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How well a model represents held-out images, as {@link RepresentationQuality} measures it. Lower
 * is better for the first three; two reports are comparable when they were made on the same images
 * with the same options.
 *
 * @param ntXent mean NT-Xent loss of z = g(f(x)) on two augmented views per image, over batches of
 *     equal size; chance level is log(2B - 1)
 * @param alignment mean squared distance between the L2-normalised h of an image's two views, in
 *     [0, 4] (Wang and Isola 2020, alpha = 2)
 * @param uniformity log of the mean of exp(-2 d^2) over all distinct pairs of the L2-normalised h of
 *     the un-augmented images, in [-8, 0] (Wang and Isola 2020, t = 2)
 * @param knnTop1 leave-one-out k-nearest-neighbour top-1 accuracy of the un-augmented images' h,
 *     where every image is labelled; empty otherwise
 * @param images held-out images evaluated, at least 2
 * @param retrieval the retrieval protocol on the un-augmented images' h, where every image carries its room
 *     programme (relevant: the same programme); null otherwise
 */
public record QualityReport(double ntXent, double alignment, double uniformity, OptionalDouble knnTop1,
                            int images, RetrievalResult retrieval) {

    public static final String NT_XENT = "heldout_ntxent";
    public static final String ALIGNMENT = "alignment";
    public static final String UNIFORMITY = "uniformity";
    public static final String KNN_TOP1 = "knn_top1";
    public static final String IMAGES = "heldout_images";
    public static final String RETRIEVAL_MAP = "retrieval_map10";
    public static final String RETRIEVAL_PRECISION = "retrieval_p10";
    public static final String RETRIEVAL_NDCG = "retrieval_ndcg10";
    public static final String RETRIEVAL_AUC = "retrieval_auc";

    /** A report without the retrieval protocol. */
    public QualityReport(double ntXent, double alignment, double uniformity, OptionalDouble knnTop1, int images) {
        this(ntXent, alignment, uniformity, knnTop1, images, null);
    }

    public QualityReport {
        if (!Double.isFinite(ntXent) || !Double.isFinite(alignment) || !Double.isFinite(uniformity)) {
            throw new IllegalArgumentException("metrics must be finite, got ntXent " + ntXent + ", alignment "
                    + alignment + ", uniformity " + uniformity);
        }
        knnTop1 = knnTop1 == null ? OptionalDouble.empty() : knnTop1;
        if (knnTop1.isPresent() && !(knnTop1.getAsDouble() >= 0 && knnTop1.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("knnTop1 must be in [0, 1], got " + knnTop1.getAsDouble());
        }
        if (images < 2) {
            throw new IllegalArgumentException("images must be >= 2, got " + images);
        }
    }

    /**
     * @return the figures under the names a model manifest uses ({@value #NT_XENT}, {@value #ALIGNMENT},
     *     {@value #UNIFORMITY}, {@value #KNN_TOP1} where present, {@value #IMAGES}, then where the retrieval
     *     protocol ran, its defined figures: {@value #RETRIEVAL_MAP}, {@value #RETRIEVAL_PRECISION},
     *     {@value #RETRIEVAL_NDCG}, {@value #RETRIEVAL_AUC}), in that order
     */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(NT_XENT, ntXent);
        m.put(ALIGNMENT, alignment);
        m.put(UNIFORMITY, uniformity);
        knnTop1.ifPresent(v -> m.put(KNN_TOP1, v));
        m.put(IMAGES, (double) images);
        if (retrieval != null) {
            putDefined(m, RETRIEVAL_MAP, retrieval.map());
            putDefined(m, RETRIEVAL_PRECISION, retrieval.precision());
            putDefined(m, RETRIEVAL_NDCG, retrieval.ndcg());
            putDefined(m, RETRIEVAL_AUC, retrieval.auc());
        }
        return Collections.unmodifiableMap(m);
    }

    /** A figure the data leaves undefined (NaN: no plan with a relevant one, say) is left out. */
    private static void putDefined(Map<String, Double> m, String key, double value) {
        if (Double.isFinite(value)) {
            m.put(key, value);
        }
    }
}
