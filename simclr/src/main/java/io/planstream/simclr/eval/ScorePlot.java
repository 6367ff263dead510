package io.planstream.simclr.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import io.planstream.simclr.ChartFiles;

/**
 * The cosine scores of relevant pairs (the same room programme) against those of irrelevant pairs, from the histograms
 * of {@link RetrievalEvaluation}, as a PNG: each drawn as the fraction of its own pairs per bin, since irrelevant
 * pairs outnumber relevant ones twenty to one. Where the two curves overlap a score threshold cannot tell them apart.
 */
public final class ScorePlot {

    public static final int WIDTH = 900;
    public static final int HEIGHT = 540;

    private ScorePlot() {
    }

    /**
     * Writes the plot, replacing {@code file}.
     *
     * @param file the PNG to write
     * @param result a retrieval result with at least one relevant and one irrelevant pair
     * @param title the chart's title (the model, the data); the AUC and the means are added
     */
    public static void write(Path file, RetrievalResult result, String title) throws IOException {
        if (result.relevantPairs() == 0 || result.irrelevantPairs() == 0) {
            throw new IllegalArgumentException("no score histogram to draw: " + result.relevantPairs() + " relevant and "
                    + result.irrelevantPairs() + " irrelevant pairs");
        }
        double width = 2.0 / RetrievalEvaluation.HISTOGRAM_BINS;
        double[] centres = RetrievalResult.binEdges();
        for (int i = 0; i < centres.length; i++) {
            centres[i] += width / 2;
        }
        XYChart chart = ChartFiles.xyChart(WIDTH, HEIGHT, String.format(Locale.ROOT, "%s: AUC %.3f", title, result.auc()),
                "cosine score of a pair of plans", "fraction of pairs", Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisMin(-1.0);
        chart.getStyler().setXAxisMax(1.0);
        series(chart, String.format(Locale.ROOT, "same rooms (%,d pairs, mean %.3f)", result.relevantPairs(),
                result.relevantMean()), centres, fractions(result.relevantHistogram(), result.relevantPairs()),
                new Color(30, 130, 70));
        series(chart, String.format(Locale.ROOT, "other rooms (%,d pairs, mean %.3f)", result.irrelevantPairs(),
                result.irrelevantMean()), centres, fractions(result.irrelevantHistogram(), result.irrelevantPairs()),
                new Color(200, 60, 30));
        ChartFiles.writePng(chart, file);
    }

    private static void series(XYChart chart, String name, double[] x, double[] y, Color color) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
        s.setLineStyle(new BasicStroke(2f));
    }

    static double[] fractions(long[] counts, long total) {
        double[] f = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            f[i] = (double) counts[i] / total;
        }
        return f;
    }
}
