package io.planstream.simclr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import javax.imageio.ImageIO;

import java.awt.Color;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** Writes the plots (training curves, score histograms): off screen, and whole or not at all. */
public final class ChartFiles {

    private ChartFiles() {}

    /**
     * Rendering needs no display; without this AWT may look for one on a desktop machine. Called before
     * a chart is built, since AWT reads the property once, when its graphics environment starts.
     */
    public static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * An XY chart with the look every plot here shares: a white background, anti-aliased lines, the legend where
     * asked. Sets up headless rendering first.
     *
     * @param yTitle the y axis's title, or null for none (a chart with titled axis groups)
     */
    public static XYChart xyChart(int width, int height, String title, String xTitle, String yTitle,
                                  Styler.LegendPosition legend) {
        headless();
        XYChartBuilder builder = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle);
        XYChart chart = (yTitle == null ? builder : builder.yAxisTitle(yTitle)).build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(legend);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setAntiAlias(true);
        return chart;
    }

    /** Renders {@code chart} to a PNG beside {@code file}, then moves it over {@code file}. */
    public static void writePng(Chart<?, ?> chart, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        // Straight to a file: ImageIO's stream writers cache through a temporary file whose clean-up
        // registers a shutdown hook, which fails when the run saves its plot on the way out (Ctrl-C).
        if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", tmp.toFile())) {
            throw new IOException("this Java runtime has no PNG writer");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
}
