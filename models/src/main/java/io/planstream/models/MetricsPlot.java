package io.planstream.models;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import io.planstream.avro.ModelVersion;
import io.planstream.simclr.eval.QualityReport;

/**
 * The evaluation metrics of every model version, drawn: held-out NT-Xent loss, alignment, uniformity
 * and kNN top-1 against the version number, one panel each, so an operator sees at a glance whether
 * the rounds are helping. Each version's metrics are the ones it was published with (measured on the
 * held-out images of the round that made it).
 */
public final class MetricsPlot {

    public static final int PANEL_WIDTH = 520;
    public static final int PANEL_HEIGHT = 320;
    private static final String[][] PANELS = {
            {QualityReport.NT_XENT, "held-out NT-Xent loss (lower is better)"},
            {QualityReport.ALIGNMENT, "alignment (lower is better)"},
            {QualityReport.UNIFORMITY, "uniformity (lower is better)"},
            {QualityReport.KNN_TOP1, "kNN top-1 accuracy (higher is better)"},
    };

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private MetricsPlot() {
    }

    /** A PNG of the metrics of {@code versions} (any order); a panel without data says so. */
    public static byte[] png(Map<Integer, ModelVersion> versions) {
        BufferedImage out = new BufferedImage(2 * PANEL_WIDTH, 2 * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            for (int i = 0; i < PANELS.length; i++) {
                BufferedImage panel = BitmapEncoder.getBufferedImage(panel(versions, PANELS[i][0], PANELS[i][1]));
                g.drawImage(panel, (i % 2) * PANEL_WIDTH, (i / 2) * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the metrics plot", e);
        }
        return bytes.toByteArray();
    }

    private static XYChart panel(Map<Integer, ModelVersion> versions, String metric, String title) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        versions.values().stream().sorted((a, b) -> Integer.compare(a.getVersion(), b.getVersion())).forEach(v -> {
            Double value = v.getMetrics().get(metric);
            if (value != null && Double.isFinite(value)) {
                x.add((double) v.getVersion());
                y.add(value);
            }
        });
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title(x.isEmpty() ? title + ": no version has it yet" : title)
                .xAxisTitle("model version").build();
        Styler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendVisible(false);
        styler.setAntiAlias(true);
        if (x.isEmpty()) {
            x.add(0.0);
            y.add(0.0);
        }
        XYSeries s = chart.addSeries(metric, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(new Color(40, 90, 160));
        s.setMarkerColor(new Color(200, 60, 30));
        return chart;
    }
}
