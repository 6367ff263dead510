package io.planstream.app.cli;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.planstream.index.map.Projection;
import io.planstream.index.map.Tsne;
import io.planstream.simclr.Devices;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.data.DataSources;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.Split;
import io.planstream.simclr.eval.FeatureExtractor;
import io.planstream.simclr.eval.Features;
import io.planstream.simclr.eval.FrozenEncoder;
import io.planstream.simclr.model.EncoderSpec;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code planstream export}: a labelled data set's features as the files TensorBoard's Embedding
 * Projector opens (as the SimCLR reproduction exported them), and a t-SNE map of them coloured by
 * label with the kNN accuracy of the map, which says how far the classes stay apart in two dimensions.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a labelled data set's features for TensorBoard's Embedding Projector (tensors.tsv, metadata.tsv,"
                + " sprite.png, projector_config.pbtxt) and a t-SNE map coloured by label (tsne.png), with the leave-one-out"
                + " kNN accuracy in the map and in the features (export.json)."})
public final class ExportCommand implements Callable<Integer> {

    static final int MAX_IMAGES = 10_000;
    /** TensorBoard refuses sprites larger than this on a side. */
    static final int MAX_SPRITE_SIDE = 8192;
    private static final int MAP_SIDE = 900;

    @Option(names = "--model", required = true, paramLabel = "DIR|random:ENCODER|pixels",
            description = "A model directory, seeded random weights of an encoder, or the raw pixels.")
    String model;

    @Mixin
    DataSourceOption data;

    @Mixin
    OutputFolder out;

    @Option(names = "--split", defaultValue = "test", description = "test or train (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--limit", defaultValue = "2000", paramLabel = "N",
            description = "Export a seeded random N of the images (1.." + MAX_IMAGES + "; default ${DEFAULT-VALUE}); the t-SNE map"
                    + " takes the first " + Tsne.MAX_POINTS + " of them.")
    int limit;

    @Option(names = "--perplexity", defaultValue = "30", description = "t-SNE perplexity (default ${DEFAULT-VALUE}).")
    double perplexity;

    @Option(names = "--k", defaultValue = "5", description = "Neighbours of the kNN accuracy, leave-one-out (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--batch", defaultValue = "" + FeatureExtractor.DEFAULT_BATCH, description = "Images per forward pass.")
    int batch;

    @Option(names = "--size", description = "Input side for random:ENCODER (default: the data's).")
    Integer size;

    @Option(names = "--channels", description = "Input channels for random:ENCODER (default: the data's).")
    Integer channels;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        Split which = switch (split) {
            case "test" -> Split.TEST;
            case "train" -> Split.TRAIN;
            default -> throw new PlanstreamCommand.UsageException("--split must be test or train, got '" + split + "'");
        };
        if (limit < 1 || limit > MAX_IMAGES) {
            throw new PlanstreamCommand.UsageException("--limit must be between 1 and " + MAX_IMAGES + ", got " + limit);
        }
        if (!(perplexity >= 1) || k < 1 || batch < 1) {
            throw new PlanstreamCommand.UsageException("--perplexity must be at least 1, --k and --batch at least 1");
        }
        Device dev;
        try {
            dev = Devices.choose(device.value());
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException("--device: " + e.getMessage());
        }
        boolean pixels = model.equals(EvalCommand.PIXELS);
        boolean random = model.startsWith(EvalCommand.RANDOM);
        if (!pixels && !random && !Files.isDirectory(Path.of(model))) {
            throw new PlanstreamCommand.UsageException("--model " + model + ": no such model directory");
        }
        ModelManifest manifest = pixels || random ? null : ModelArtifact.readManifest(Path.of(model));
        int loadSize = manifest != null ? manifest.inputSize() : size != null ? size : EvalCommand.DEFAULT_FOLDER_SIZE;
        int loadChannels = manifest != null ? manifest.inputChannels() : channels != null ? channels : EvalCommand.DEFAULT_FOLDER_CHANNELS;
        ImageDataset images = io.planstream.app.demo.RplanFolder.open(data.value(), which, loadSize, loadChannels);
        if (!images.labelled()) {
            throw new PlanstreamCommand.UsageException(data.value() + " is not labelled: the map is coloured by class");
        }
        images = EvalCommand.subset(images, limit, seed.value());

        Features features;
        String description;
        try (NDManager manager = SimClrEngine.get().newBaseManager(dev);
             FrozenEncoder encoder = pixels ? null : open(manifest, images, manager)) {
            FeatureExtractor extractor = encoder == null ? FeatureExtractor.pixels() : FeatureExtractor.encoder(encoder, batch);
            description = encoder == null ? "raw pixels" : encoder.description();
            try (ProgressBar bar = Progress.bar("features", images.size(), "images")) {
                features = extractor.extract(images, (done, total) -> bar.stepTo(done));
            }
        }
        Files.createDirectories(out.path());
        writeTensors(out.path().resolve("tensors.tsv"), features);
        writeMetadata(out.path().resolve("metadata.tsv"), images);
        int cell = writeSprite(out.path().resolve("sprite.png"), images);
        Files.writeString(out.path().resolve("projector_config.pbtxt"), projectorConfig(cell), StandardCharsets.UTF_8);

        int mapped = Math.min(features.count(), Tsne.MAX_POINTS);
        double[][] x = new double[mapped][];
        List<float[]> rows = new ArrayList<>(mapped);
        int[] labels = new int[mapped];
        for (int i = 0; i < mapped; i++) {
            float[] row = normalised(features.row(i));
            rows.add(row);
            x[i] = toDouble(row);
            labels[i] = features.labels()[i];
        }
        long t0 = System.nanoTime();
        double[][] map = Tsne.embed(x, Projection.pca(rows, seed.value()).xy(), perplexity);
        double tsneSeconds = (System.nanoTime() - t0) / 1e9;
        double knnMap = knnAccuracy(map, labels, k);
        double knnFeatures = knnAccuracy(x, labels, k);
        writeMap(out.path().resolve("tsne.png"), map, labels, images.classNames(), List.of(String.format(Locale.ROOT,
                "t-SNE of %d %s %s images: %d-NN accuracy %.1f%% in the map, %.1f%% in the %d-dimensional features", mapped,
                data.value(), split, k, 100 * knnMap, 100 * knnFeatures, features.dim()), description));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", model);
        result.put("encoder", description);
        result.put("data", data.value());
        result.put("split", split);
        result.put("images", features.count());
        result.put("dimension", features.dim());
        result.put("tsne_images", mapped);
        result.put("perplexity", perplexity);
        result.put("k", k);
        result.put("knn_top1_tsne_2d", knnMap);
        result.put("knn_top1_features", knnFeatures);
        result.put("tsne_s", Math.round(tsneSeconds * 10) / 10.0);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.path().resolve("export.json").toFile(), result);
        System.out.printf(Locale.ROOT, "exported %d images (%s, %d dimensions) to %s: tensors.tsv, metadata.tsv, sprite.png,"
                + " projector_config.pbtxt, tsne.png, export.json%n", features.count(), description, features.dim(), out.path());
        System.out.printf(Locale.ROOT, "t-SNE map of %d images (%.1f s): %d-NN accuracy (leave-one-out) %.4f in 2-D, %.4f in %d dimensions%n",
                mapped, tsneSeconds, k, knnMap, knnFeatures, features.dim());
        return PlanstreamCommand.EXIT_OK;
    }

    private FrozenEncoder open(ModelManifest manifest, ImageDataset images, NDManager manager) throws IOException {
        if (manifest != null) {
            return FrozenEncoder.load(Path.of(model), manager);
        }
        int side = size != null ? size : images.height();
        int c = channels != null ? channels : images.channels();
        try {
            return FrozenEncoder.random(EncoderSpec.of(model.substring(EvalCommand.RANDOM.length()), 1, null, c, side), seed.value(), manager);
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException("--model " + model + ": " + e.getMessage());
        }
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
    static double knnAccuracy(double[][] x, int[] labels, int k) {
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
            java.util.Arrays.sort(order, (a, b) -> Double.compare(dist[a], dist[b]));
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

    private static void writeMap(Path file, double[][] map, int[] labels, List<String> classNames, List<String> title) throws IOException {
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

    private static float[] normalised(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f * f;
        }
        float[] out = v.clone();
        if (s > 0) {
            float inv = (float) (1 / Math.sqrt(s));
            for (int j = 0; j < out.length; j++) {
                out[j] *= inv;
            }
        }
        return out;
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = v[j];
        }
        return out;
    }
}
