package io.planstream.simclr.train;

import io.planstream.simclr.ChartFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;


import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Memory over a run as a PNG: the process's resident set and the NDArrays alive in the model's manager
 * after every step. Both stay level over a run when no array outlives its step and libtorch's native
 * allocations are handed back; a slope in either is a leak.
 */
public final class MemoryPlot {

    public static final String FILE = "memory.png";

    private MemoryPlot() {}

    /** Writes the plot of the steps that have memory figures, replacing {@code file}. */
    public static void write(Path file, List<StepRecord> rows, String title) throws IOException {
        List<StepRecord> known = rows.stream().filter(r -> r.residentMb() >= 0 && r.liveArrays() >= 0).toList();
        if (known.isEmpty()) {
            throw new IllegalArgumentException("no step has memory figures");
        }
        double[] x = known.stream().mapToDouble(StepRecord::step).toArray();
        double[] rss = known.stream().mapToDouble(StepRecord::residentMb).toArray();
        double[] arrays = known.stream().mapToDouble(StepRecord::liveArrays).toArray();
        XYChart chart = ChartFiles.xyChart(LossPlot.WIDTH, LossPlot.HEIGHT / 2 + 60, "memory: " + title, "step", null,
                Styler.LegendPosition.InsideSE);
        Styler styler = chart.getStyler();
        chart.setYAxisGroupTitle(0, "resident MB");
        chart.setYAxisGroupTitle(1, "live NDArrays");
        styler.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        XYSeries r = chart.addSeries(String.format(Locale.ROOT, "resident set (%.0f-%.0f MB)", min(rss), max(rss)), x, rss);
        r.setMarker(SeriesMarkers.NONE);
        r.setLineColor(new Color(40, 90, 160));
        r.setLineStyle(new BasicStroke(1.8f));
        XYSeries a = chart.addSeries(String.format(Locale.ROOT, "live NDArrays (%.0f-%.0f)", min(arrays), max(arrays)), x, arrays);
        a.setYAxisGroup(1);
        a.setMarker(SeriesMarkers.NONE);
        a.setLineColor(new Color(200, 60, 30));
        a.setLineStyle(new BasicStroke(1.8f));
        ChartFiles.writePng(chart, file);
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(0);
    }
}
