package io.planstream.app.cli;

import java.awt.Color;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import io.planstream.simclr.ChartFiles;

/**
 * {@code bench e2e --timeline DIR}: every measured upload's stages, as a table and drawn over the run, so that
 * a p99 can be told apart as a queue that grows for as long as the uploads last, a few stalls, or a slow start.
 */
final class E2eTimelineFiles {

    static final String CSV = "e2e-timeline.csv";
    static final String PNG = "e2e-timeline.png";

    private static final Color[] COLOURS = {new Color(120, 120, 120), new Color(200, 60, 30), new Color(230, 160, 20),
        new Color(60, 150, 60), new Color(40, 90, 160)};

    private E2eTimelineFiles() {}

    /**
     * @param sentWall each upload's send time (epoch ms), 0 for one never sent
     * @param timelines each upload's stages, null for one that never became searchable
     */
    static void write(Path dir, long[] sentWall, BenchE2eCommand.Timeline[] timelines, String title) throws IOException {
        if (sentWall.length != timelines.length) {
            throw new IllegalArgumentException(sentWall.length + " send times but " + timelines.length + " timelines");
        }
        Files.createDirectories(dir);
        long first = java.util.Arrays.stream(sentWall).filter(t -> t > 0).min().orElse(0);
        List<String> stages = BenchE2eCommand.STAGES;
        try (Writer w = Files.newBufferedWriter(dir.resolve(CSV), StandardCharsets.UTF_8)) {
            w.write("upload,sent_s");
            for (String stage : stages) {
                w.write("," + stage + "_ms");
            }
            w.write("\n");
            for (int i = 0; i < timelines.length; i++) {
                w.write(i + "," + (sentWall[i] > 0 ? format((sentWall[i] - first) / 1000.0) : ""));
                for (int s = 0; s < stages.size(); s++) {
                    double v = timelines[i] == null ? Double.NaN : timelines[i].ms()[s];
                    w.write("," + (Double.isNaN(v) ? "" : format(v)));
                }
                w.write("\n");
            }
        }
        XYChart chart = ChartFiles.xyChart(1000, 520, title, "seconds since the first measured upload was sent",
                "ms since the upload was sent", Styler.LegendPosition.InsideNW);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(3);
        for (int s = 0; s < stages.size(); s++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < timelines.length; i++) {
                if (timelines[i] != null && sentWall[i] > 0 && !Double.isNaN(timelines[i].ms()[s])) {
                    x.add((sentWall[i] - first) / 1000.0);
                    y.add(timelines[i].ms()[s]);
                }
            }
            if (!x.isEmpty()) {
                XYSeries series = chart.addSeries(stages.get(s), x, y);
                series.setMarker(SeriesMarkers.CIRCLE);
                series.setMarkerColor(COLOURS[s % COLOURS.length]);
            }
        }
        if (!chart.getSeriesMap().isEmpty()) {
            ChartFiles.writePng(chart, dir.resolve(PNG));
        }
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
