package io.planstream.app.cli;

/** Percentiles and rounding of the benchmark reports. */
final class BenchStats {

    private BenchStats() {
    }

    /** The nearest-rank percentile {@code q} (0..1] of sorted values. */
    static double percentile(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** Two decimals, for reports. */
    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
