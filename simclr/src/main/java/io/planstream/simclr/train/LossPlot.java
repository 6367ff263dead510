package io.planstream.simclr.train;

import io.planstream.simclr.ChartFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The loss curve of a run as a PNG (XChart, rendered off screen): every step's loss as a point and a
 * centred moving average as a line, so that the trend shows through the noise of small batches.
 */
public final class LossPlot {

    public static final String FILE = "loss.png";
    public static final int WIDTH = 900;
    public static final int HEIGHT = 540;
    /**
     * The smoothing window is about the square root of the steps (5 of 20, 33 of 1,000, 141 of
     * 20,000): wide enough to average out batch noise, narrow enough to keep the warm-up's shape.
     */
    private static final int MAX_WINDOW = 501;

    private LossPlot() {}

    /**
     * Writes the plot, replacing {@code file}.
     *
     * @param file the PNG to write
     * @param rows the steps, in order; at least one
     * @param title the chart's title
     */
    public static void write(Path file, List<StepRecord> rows, String title) throws IOException {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no steps to plot");
        }
        int n = rows.size();
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rows.get(i).step();
            y[i] = rows.get(i).loss();
        }
        XYChart chart = ChartFiles.xyChart(WIDTH, HEIGHT, title, "step", "NT-Xent loss", Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(4);

        XYSeries raw = chart.addSeries("loss per step", x, y);
        raw.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        raw.setMarker(SeriesMarkers.CIRCLE);
        raw.setMarkerColor(new Color(40, 90, 160, 150));

        int window = Math.min(MAX_WINDOW, (int) Math.round(Math.sqrt(n)) | 1);
        XYSeries smooth = chart.addSeries("moving average (" + window + " steps)", x, movingAverage(y, window));
        smooth.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        smooth.setMarker(SeriesMarkers.NONE);
        smooth.setLineColor(new Color(200, 60, 30));
        smooth.setLineStyle(new BasicStroke(2.2f));

        ChartFiles.writePng(chart, file);
    }

    /** Centred mean over {@code window} (odd) values, the window shrinking at both ends. */
    static double[] movingAverage(double[] y, int window) {
        int half = window / 2;
        double[] prefix = new double[y.length + 1];
        for (int i = 0; i < y.length; i++) {
            prefix[i + 1] = prefix[i] + y[i];
        }
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            int lo = Math.max(0, i - half);
            int hi = Math.min(y.length, i + half + 1);
            out[i] = (prefix[hi] - prefix[lo]) / (hi - lo);
        }
        return out;
    }
}
