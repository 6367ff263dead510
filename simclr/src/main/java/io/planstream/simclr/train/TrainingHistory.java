package io.planstream.simclr.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The per-step record of a run as CSV: {@value #HEADER} (rows of older runs may lack the last two). */
public final class TrainingHistory {

    public static final String FILE = "history.csv";
    public static final String HEADER = "step,epoch,loss,lr,images_per_s,live_arrays,rss_mb";
    /** The header of histories written before the memory columns; read still, for resumed runs. */
    static final String HEADER_WITHOUT_MEMORY = "step,epoch,loss,lr,images_per_s";

    private TrainingHistory() {}

    /** Writes {@code rows} to {@code file}, replacing it. */
    public static void write(Path file, List<StepRecord> rows) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.newLine();
            for (StepRecord r : rows) {
                w.write(String.format(Locale.ROOT, "%d,%d,%.6f,%.6g,%.1f,%d,%.1f",
                        r.step(), r.epoch(), r.loss(), r.learningRate(), r.imagesPerSecond(), r.liveArrays(), r.residentMb()));
                w.newLine();
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a file written by {@link #write}; fails naming the line on anything else. */
    public static List<StepRecord> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String header = lines.isEmpty() ? "" : lines.get(0).trim();
        if (!header.equals(HEADER) && !header.equals(HEADER_WITHOUT_MEMORY)) {
            throw new IOException(file + " does not start with the header " + HEADER);
        }
        int fields = header.split(",").length;
        List<StepRecord> rows = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",");
            try {
                if (f.length != fields) {
                    throw new IllegalArgumentException("expected " + fields + " fields, got " + f.length);
                }
                rows.add(fields == 5
                        ? new StepRecord(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                                Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]))
                        : new StepRecord(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]),
                                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Integer.parseInt(f[5]), Double.parseDouble(f[6])));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + " is not a history row: " + e.getMessage(), e);
            }
        }
        return rows;
    }
}
