package io.planstream.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;


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
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.Split;
import io.planstream.simclr.eval.EmbeddingExport;
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
            FeatureExtractor extractor = encoder == null ? FeatureExtractor.pixels() : FeatureExtractor.served(encoder, batch);
            description = encoder == null ? "raw pixels" : encoder.description();
            try (ProgressBar bar = Progress.bar("features", images.size(), "images")) {
                features = extractor.extract(images, (done, total) -> bar.stepTo(done));
            }
        }
        EmbeddingExport.writeProjector(out.path(), features, images);

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
        double knnMap = EmbeddingExport.knnAccuracy(map, labels, k);
        double knnFeatures = EmbeddingExport.knnAccuracy(x, labels, k);
        EmbeddingExport.writeMap(out.path().resolve("tsne.png"), map, labels, images.classNames(), List.of(String.format(Locale.ROOT,
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
