package io.planstream.simclr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import javax.imageio.ImageIO;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

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
