package io.planstream.simclr.eval;

import java.util.OptionalDouble;

/** Top-k accuracy from class scores. Ties between classes go to the lower class index. */
final class Accuracy {

    /** Top-5 is reported only where it says something: with more than five classes. */
    static final int TOP5 = 5;

    private final long hits1;
    private final long hits5;
    private final int count;
    private final boolean withTop5;

    private Accuracy(long hits1, long hits5, int count, boolean withTop5) {
        this.hits1 = hits1;
        this.hits5 = hits5;
        this.count = count;
        this.withTop5 = withTop5;
    }

    /**
     * @param scores {@code labels.length * classes} scores, row after row; higher is better
     * @param labels the true class of each row
     * @param classes classes per row
     */
    static Accuracy of(double[] scores, int[] labels, int classes) {
        return of(scores, 0, labels, 0, labels.length, classes);
    }

    /** Rows {@code [from, from + rows)} of {@code labels}, scored by {@code scores} from {@code offset}. */
    static Accuracy of(double[] scores, int offset, int[] labels, int from, int rows, int classes) {
        long h1 = 0;
        long h5 = 0;
        for (int i = 0; i < rows; i++) {
            int base = offset + i * classes;
            int label = labels[from + i];
            double own = scores[base + label];
            // The rank of the true class: classes that beat it, with ties to the lower index.
            int better = 0;
            for (int c = 0; c < classes; c++) {
                double s = scores[base + c];
                if (s > own || (s == own && c < label)) {
                    better++;
                }
            }
            if (better == 0) {
                h1++;
            }
            if (better < TOP5) {
                h5++;
            }
        }
        return new Accuracy(h1, h5, rows, classes > TOP5);
    }

    /** @return the accuracy of both parts together */
    Accuracy plus(Accuracy other) {
        return new Accuracy(hits1 + other.hits1, hits5 + other.hits5, count + other.count, withTop5 && other.withTop5);
    }

    static Accuracy empty(int classes) {
        return new Accuracy(0, 0, 0, classes > TOP5);
    }

    double top1() {
        return count == 0 ? 0 : (double) hits1 / count;
    }

    OptionalDouble top5() {
        return withTop5 && count > 0 ? OptionalDouble.of((double) hits5 / count) : OptionalDouble.empty();
    }

    int count() {
        return count;
    }
}
