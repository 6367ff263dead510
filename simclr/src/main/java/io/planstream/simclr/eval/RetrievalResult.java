package io.planstream.simclr.eval;

/**
 * The outcome of {@link RetrievalEvaluation}. A figure that is undefined for the data (no query with a
 * relevant item, no relevant or no irrelevant pair, no transformed copies) is {@code NaN}.
 *
 * @param k the cut of the ranked lists: 10 for mAP@10, or the gallery size where that is smaller
 * @param map mean over queries with at least one relevant item of AP@k, in [0, 1]
 * @param precision mean over the same queries of P@k (relevant items among the first k, over k)
 * @param ndcg mean of nDCG@k with graded relevance (overlap of the room programmes) over the queries
 *     that share something with some other plan
 * @param auc probability that a relevant pair scores above an irrelevant pair, ties counting one half
 * @param aucSampled whether the AUC comes from a seeded sample of pairs rather than from all of them
 * @param aucPairs pairs the AUC was computed on
 * @param relevantMean mean cosine similarity of pairs with the same programme
 * @param relevantStd its (population) standard deviation
 * @param irrelevantMean mean cosine similarity of pairs with different programmes
 * @param irrelevantStd its (population) standard deviation
 * @param relevantPairs unordered pairs with the same programme
 * @param irrelevantPairs unordered pairs with different programmes
 * @param invariance fraction of transformed copies whose nearest original is the plan they came from
 * @param nCopies transformed copies that were queried
 * @param nQueries plans, each one a query against all the others
 * @param nLeftOut queries without any relevant item, left out of mAP and precision
 * @param nNdcgLeftOut queries that share nothing with any other plan, left out of nDCG
 * @param featureDim length of the representation evaluated
 * @param seconds wall time of the evaluation itself
 * @param relevantHistogram counts of relevant pairs per bin of {@link RetrievalEvaluation#HISTOGRAM_BINS}
 *     equal bins over [-1, 1] of their cosine, all pairs
 * @param irrelevantHistogram the same for irrelevant pairs
 */
public record RetrievalResult(int k, double map, double precision, double ndcg, double auc, boolean aucSampled,
                              long aucPairs, double relevantMean, double relevantStd, double irrelevantMean,
                              double irrelevantStd, long relevantPairs, long irrelevantPairs, double invariance,
                              int nCopies, int nQueries, int nLeftOut, int nNdcgLeftOut, int featureDim,
                              double seconds, long[] relevantHistogram, long[] irrelevantHistogram) {

    /** @return the lower edge of each histogram bin, from -1 */
    public static double[] binEdges() {
        int bins = RetrievalEvaluation.HISTOGRAM_BINS;
        double[] edges = new double[bins];
        for (int i = 0; i < bins; i++) {
            // Rounded to 6 places: -1 + 2 * 11 / 40 is -0.44999999999999996 in doubles.
            edges[i] = Math.round((-1 + 2.0 * i / bins) * 1e6) / 1e6;
        }
        return edges;
    }
}
