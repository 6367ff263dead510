package io.planstream.simclr.eval;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Features and labels as CSV, so that a figure can be checked with another tool (for example
 * {@code pandas.read_csv} and scikit-learn). One header line {@code label,f0,f1,...}, then one line
 * per image: its class index, then its features as Java writes floats (the shortest decimal that
 * reads back to the same float32). Gzip-compressed when the file name ends in {@code .gz}.
 */
public final class FeatureDump {

    private static final String LABEL = "label";

    private FeatureDump() {
    }

    /** Writes {@code features} to {@code file}, replacing it; parent folders are created. */
    public static void write(Path file, Features features) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = compressed(file) ? new GZIPOutputStream(raw, 1 << 16) : raw;
             BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
            int d = features.dim();
            StringBuilder line = new StringBuilder(LABEL);
            for (int j = 0; j < d; j++) {
                line.append(",f").append(j);
            }
            w.write(line.append('\n').toString());
            float[] v = features.values();
            for (int i = 0; i < features.count(); i++) {
                line.setLength(0);
                line.append(features.labels()[i]);
                for (int j = 0; j < d; j++) {
                    line.append(',').append(v[i * d + j]);
                }
                w.write(line.append('\n').toString());
            }
        }
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @param numClasses the number of classes, or 0 to take the largest label + 1
     * @throws IOException naming the line that does not fit the format
     */
    public static Features read(Path file, int numClasses) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = compressed(file) ? new GZIPInputStream(raw, 1 << 16) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            String header = r.readLine();
            if (header == null || !header.startsWith(LABEL + ",")) {
                throw new IOException(file + ": the first line must be the header label,f0,f1,...");
            }
            int d = header.split(",", -1).length - 1;
            List<float[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            int maxLabel = -1;
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String[] cells = line.split(",", -1);
                if (cells.length != d + 1) {
                    throw new IOException(file + " line " + lineNo + ": " + cells.length + " cells, the header has " + (d + 1));
                }
                try {
                    int label = Integer.parseInt(cells[0]);
                    float[] row = new float[d];
                    for (int j = 0; j < d; j++) {
                        row[j] = Float.parseFloat(cells[j + 1]);
                    }
                    labels.add(label);
                    rows.add(row);
                    maxLabel = Math.max(maxLabel, label);
                } catch (NumberFormatException e) {
                    throw new IOException(file + " line " + lineNo + ": not a number: " + e.getMessage(), e);
                }
            }
            float[] values = new float[rows.size() * d];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, values, i * d, d);
            }
            int classes = numClasses > 0 ? numClasses : Math.max(1, maxLabel + 1);
            return new Features(values, rows.size(), d, labels.stream().mapToInt(Integer::intValue).toArray(), classes);
        }
    }

    private static boolean compressed(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }
}
