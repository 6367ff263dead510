package io.planstream.simclr.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import io.planstream.simclr.data.ImageDataset;

/**
 * A labelled data set's features for people to look at: the TensorBoard Embedding Projector's files
 * ({@code tensors.tsv}, {@code metadata.tsv}, {@code sprite.png}, {@code projector_config.pbtxt}), a
 * 2-D map coloured by class, and the leave-one-out kNN accuracy that says how well a map or the
 * features keep the classes apart.
 */
public final class EmbeddingExport {

    /** TensorBoard refuses sprites larger than this on a side: above it the cells shrink. */
    public static final int MAX_SPRITE_SIDE = 8192;
    private static final int MAP_SIDE = 900;

    private EmbeddingExport() {
    }

    /** Writes the Projector's four files into {@code dir} (created); answers the side of a sprite cell in pixels. */
    public static int writeProjector(Path dir, Features features, ImageDataset images) throws IOException {
        Files.createDirectories(dir);
        writeTensors(dir.resolve("tensors.tsv"), features);
        writeMetadata(dir.resolve("metadata.tsv"), images);
        int cell = writeSprite(dir.resolve("sprite.png"), images);
        Files.writeString(dir.resolve("projector_config.pbtxt"), projectorConfig(cell), StandardCharsets.UTF_8);
        return cell;
    }

    static void writeTensors(Path file, Features f) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < f.count(); i++) {
                float[] row = f.row(i);
                for (int j = 0; j < row.length; j++) {
                    if (j > 0) {
                        w.write('\t');
                    }
                    w.write(Float.toString(row[j]));
                }
                w.write('\n');
            }
        }
    }

    /** With more than one column the Projector wants a header line. */
    static void writeMetadata(Path file, ImageDataset d) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("index\tlabel\tclass\n");
            for (int i = 0; i < d.size(); i++) {
                int label = d.labels()[i];
                String name = label >= 0 && label < d.classNames().size() ? d.classNames().get(label) : "";
                w.write(i + "\t" + label + "\t" + name.replace('\t', ' ') + "\n");
            }
        }
    }

    /** The images in a square grid, row-major in export order; answers the side of one cell in pixels. */
    static int writeSprite(Path file, ImageDataset d) throws IOException {
        int perSide = (int) Math.ceil(Math.sqrt(d.size()));
        int cell = Math.max(1, Math.min(Math.max(d.width(), d.height()), MAX_SPRITE_SIDE / perSide));
        BufferedImage sprite = new BufferedImage(perSide * cell, perSide * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sprite.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sprite.getWidth(), sprite.getHeight());
        int plane = d.height() * d.width();
        for (int i = 0; i < d.size(); i++) {
            BufferedImage img = new BufferedImage(d.width(), d.height(), BufferedImage.TYPE_INT_RGB);
            int base = i * d.channels() * plane;
            for (int p = 0; p < plane; p++) {
                int r = d.pixels()[base + p] & 0xFF;
                int gr = d.channels() == 3 ? d.pixels()[base + plane + p] & 0xFF : r;
                int b = d.channels() == 3 ? d.pixels()[base + 2 * plane + p] & 0xFF : r;
                img.setRGB(p % d.width(), p / d.width(), (r << 16) | (gr << 8) | b);
            }
            g.drawImage(img, (i % perSide) * cell, (i / perSide) * cell, cell, cell, null);
        }
        g.dispose();
        ImageIO.write(sprite, "png", file.toFile());
        return cell;
    }

    static String projectorConfig(int cell) {
        return "embeddings {\n"
                + "  tensor_name: \"planstream\"\n"
                + "  tensor_path: \"tensors.tsv\"\n"
                + "  metadata_path: \"metadata.tsv\"\n"
                + "  sprite {\n"
                + "    image_path: \"sprite.png\"\n"
                + "    single_image_dim: " + cell + "\n"
                + "    single_image_dim: " + cell + "\n"
                + "  }\n"
                + "}\n";
    }

    /** Leave-one-out majority vote of the {@code k} nearest points (Euclidean); ties go to the nearest's class. */
    public static double knnAccuracy(double[][] x, int[] labels, int k) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        int kk = Math.min(k, n - 1);
        int numClasses = 0;
        for (int l : labels) {
            numClasses = Math.max(numClasses, l + 1);
        }
        int right = 0;
        double[] dist = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < x[i].length; c++) {
                    double d = x[i][c] - x[j][c];
                    s += d * d;
                }
                dist[j] = j == i ? Double.POSITIVE_INFINITY : s;
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> Double.compare(dist[a], dist[b]));
            int[] votes = new int[numClasses];
            int best = labels[order[0]];
            for (int m = 0; m < kk; m++) {
                int l = labels[order[m]];
                votes[l]++;
                if (votes[l] > votes[best]) {
                    best = l;
                }
            }
            right += best == labels[i] ? 1 : 0;
        }
        return right / (double) n;
    }

    /** Draws a 2-D map as a PNG, points coloured by label, with a title and a legend of the class names. */
    public static void writeMap(Path file, double[][] map, int[] labels, List<String> classNames, List<String> title) throws IOException {
        int legend = 190;
        BufferedImage img = new BufferedImage(MAP_SIDE + legend, MAP_SIDE + 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        double[] min = {Double.MAX_VALUE, Double.MAX_VALUE};
        double[] max = {-Double.MAX_VALUE, -Double.MAX_VALUE};
        for (double[] p : map) {
            for (int a = 0; a < 2; a++) {
                min[a] = Math.min(min[a], p[a]);
                max[a] = Math.max(max[a], p[a]);
            }
        }
        int numClasses = Math.max(classNames.size(), 1);
        for (int l : labels) {
            numClasses = Math.max(numClasses, l + 1);
        }
        for (int i = 0; i < map.length; i++) {
            double fx = max[0] > min[0] ? (map[i][0] - min[0]) / (max[0] - min[0]) : 0.5;
            double fy = max[1] > min[1] ? (map[i][1] - min[1]) / (max[1] - min[1]) : 0.5;
            g.setColor(colour(labels[i], numClasses));
            g.fillOval((int) (10 + fx * (MAP_SIDE - 20)) - 3, (int) (60 + (1 - fy) * (MAP_SIDE - 20)) - 3, 6, 6);
        }
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int line = 0; line < title.size(); line++) {
            g.drawString(title.get(line), 10, 20 + 18 * line);
        }
        g.setStroke(new BasicStroke(1));
        for (int c = 0; c < numClasses; c++) {
            int y = 80 + c * 20;
            g.setColor(colour(c, numClasses));
            g.fillOval(MAP_SIDE + 10, y - 9, 10, 10);
            g.setColor(Color.DARK_GRAY);
            g.drawString(c < classNames.size() ? classNames.get(c) : "class " + c, MAP_SIDE + 26, y);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** Matplotlib's ten categorical colours ("tab10"), told apart more easily than evenly spaced hues. */
    private static final int[] PALETTE = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

    private static Color colour(int label, int numClasses) {
        if (label < 0) {
            return Color.LIGHT_GRAY;
        }
        return numClasses <= PALETTE.length ? new Color(PALETTE[label]) : Color.getHSBColor((float) label / numClasses, 0.75f, 0.85f);
    }
}
