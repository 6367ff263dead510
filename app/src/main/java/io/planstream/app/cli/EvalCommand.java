package io.planstream.app.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.planstream.app.demo.SymmetricFeatureExtractor;
import io.planstream.app.demo.RplanFolder;
import io.planstream.simclr.Devices;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.artifact.EmbeddingTransform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.data.DataSources;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.Split;
import io.planstream.simclr.eval.EvalResult;
import io.planstream.simclr.eval.FeatureDump;
import io.planstream.simclr.eval.FeatureExtractor;
import io.planstream.simclr.eval.Features;
import io.planstream.simclr.eval.FineTuneEvaluation;
import io.planstream.simclr.eval.FrozenEncoder;
import io.planstream.simclr.eval.KnnEvaluation;
import io.planstream.simclr.eval.LinearEvaluation;
import io.planstream.simclr.eval.Protocol;
import io.planstream.simclr.eval.SoftmaxRegression;
import io.planstream.simclr.model.EncoderSpec;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures a representation the way SimCLR's paper does: linear evaluation, weighted kNN and
 * fine-tuning, on the train and test splits of a labelled data source; and, for generated plans whose
 * room programmes are known, how well a search by cosine similarity finds plans with the same rooms.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate an encoder on a labelled data set: top-1 accuracy on the test split.",
                "linear: frozen encoder, multinomial logistic regression with L2 (strength chosen on 10%% of train).",
                "knn: weighted k-nearest neighbours on cosine similarity (k=200, weights exp(s/0.07)).",
                "finetune: encoder and a linear head trained end to end with Adam.",
                "retrieval: each held-out plan of rplan:DIR searches the others by cosine; mAP@10 and P@10 against"
                        + " the same room programme (DIR/attributes.jsonl), nDCG@10 by room overlap, the AUC of relevant"
                        + " over irrelevant pairs, and how often a rotated or mirrored copy finds its original first.",
                "--model pixels evaluates raw pixels; --model random:ENCODER the encoder with random weights."})
final class EvalCommand implements Callable<Integer> {

    static final String PIXELS = "pixels";
    static final String SERVED = "served";
    static final String RANDOM = "random:";
    /** Picture folders have no fixed size: these are read at the encoder's or these. */
    static final int DEFAULT_FOLDER_SIZE = 32;
    static final int DEFAULT_FOLDER_CHANNELS = 3;
    static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    static final int MAX_THREADS = 1024;

    @Option(names = "--model", required = true, paramLabel = "DIR|random:ENCODER|pixels",
            description = "A model artifact folder, random:ENCODER (e.g. random:resnet-mini) or pixels.")
    String model;

    @Mixin
    DataSourceOption data;

    @Option(names = "--protocol", split = ",", defaultValue = "linear", paramLabel = "linear|knn|finetune|retrieval",
            description = "Protocols to run, repeatable or comma-separated (default ${DEFAULT-VALUE}).")
    List<String> protocols;

    @Option(names = "--limit-train", paramLabel = "N", description = "Use a seeded random N of the training images.")
    Integer limitTrain;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use a seeded random N of the test images.")
    Integer limitTest;

    @Option(names = "--k", defaultValue = "" + KnnEvaluation.DEFAULT_K,
            description = "Neighbours that vote in knn, 1.." + KnnEvaluation.MAX_K + " (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--temperature", defaultValue = "" + KnnEvaluation.DEFAULT_TEMPERATURE,
            description = "kNN vote weight exp(similarity / T) (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--l2", split = ",", paramLabel = "LAMBDA",
            description = "L2 strengths the linear protocol chooses from (default 1e-1,1e-2,...,1e-5).")
    List<Double> l2Grid;

    @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "" + SoftmaxRegression.Options.DEFAULT_MAX_ITERATIONS,
            description = "L-BFGS iterations per fit of the linear protocol at most (default ${DEFAULT-VALUE}).")
    int maxIterations;

    @Option(names = "--epochs", defaultValue = "" + FineTuneEvaluation.DEFAULT_EPOCHS,
            description = "Fine-tuning epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "" + FineTuneEvaluation.DEFAULT_LEARNING_RATE,
            description = "Fine-tuning Adam learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--finetune-limit", paramLabel = "N",
            description = "Fine-tune on a seeded random N of the training images (default: all that are used).")
    Integer finetuneLimit;

    @Option(names = "--batch", defaultValue = "" + FeatureExtractor.DEFAULT_BATCH,
            description = "Images per forward pass (default ${DEFAULT-VALUE}; fine-tuning uses "
                    + FineTuneEvaluation.DEFAULT_BATCH + " unless this is set).")
    int batch;

    @Option(names = "--size", description = "Input side for random:ENCODER (default: the data's) and for picture folders.")
    Integer size;

    @Option(names = "--channels", description = "Input channels for random:ENCODER (default: the data's) and for picture folders.")
    Integer channels;

    @Option(names = "--symmetries", description = {"Features averaged over the 8 rotations and mirrors of the square,",
            "as the embedder serves plans (planstream.embedder.symmetries): eight passes over the data."})
    boolean symmetries;

    @Option(names = "--embedding", defaultValue = SERVED, paramLabel = "served|raw|centre|whiten[:SHRINKAGE]",
            description = {"What is done to h before it is compared (default ${DEFAULT-VALUE}): served, what the artifact",
                    "serves (its " + EmbeddingTransform.FILE + ", or h as it is); raw, h as it is; centre or whiten,",
                    "fitted here on the training split's features (whiten's shrinkage default "
                            + EmbeddingTransform.DEFAULT_SHRINKAGE + ")."})
    String embedding;

    /** {@code --embedding} as read: what to fit on the training split (raw: nothing); null to use what the artifact serves. */
    private EmbeddingTransform.Spec fitSpec;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Mixin
    DeviceOption device;

    @Option(names = "--threads", paramLabel = "N",
            description = {"libtorch intra-op threads (default: the engine's, one per core).",
                    "On a machine shared with other work 1 can be many times faster: idle OpenMP threads spin."})
    Integer threads;

    @Mixin
    JsonOption json;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the results as one JSON document.")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "With --protocol retrieval, draw the scores of relevant against irrelevant pairs as a PNG.")
    Path plot;

    @Option(names = "--dump", paramLabel = "FILE",
            description = "Write the test features and labels as CSV (label,f0,f1,...; gzip if FILE ends in .gz).")
    Path dump;

    @Option(names = "--dump-train", paramLabel = "FILE", description = "Likewise for the training features, to refit elsewhere.")
    Path dumpTrain;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Set<Protocol> chosen = checkArguments();
        boolean pixels = model.equals(PIXELS);
        // Retrieval searches the held-out plans among themselves: it needs no training split.
        boolean classify = chosen.stream().anyMatch(p -> p != Protocol.RETRIEVAL);
        Device dev = chooseDevice();
        ModelManifest manifest = pixels || model.startsWith(RANDOM) ? null : readManifest();
        int loadSize = manifest != null ? manifest.inputSize() : size != null ? size : DEFAULT_FOLDER_SIZE;
        int loadChannels = manifest != null ? manifest.inputChannels() : channels != null ? channels : DEFAULT_FOLDER_CHANNELS;
        ImageDataset train = null;
        ImageDataset test = null;
        if (classify) {
            train = RplanFolder.open(data.value(), Split.TRAIN, loadSize, loadChannels);
            test = RplanFolder.open(data.value(), Split.TEST, loadSize, loadChannels);
            checkData(train, test);
            train = subset(train, limitTrain, seed.value());
            test = subset(test, limitTest, seed.value() + 1);
        }
        RetrievalRun.GroundTruth plans = chosen.contains(Protocol.RETRIEVAL)
                ? RetrievalRun.open(data.value(), loadSize, loadChannels, limitTest, seed.value() + 1) : null;
        ImageDataset shape = train != null ? train : plans.plans().images();

        List<Map<String, Object>> rows = new ArrayList<>();
        try (NDManager manager = SimClrEngine.get().newBaseManager(dev);
             FrozenEncoder encoder = pixels ? null : openEncoder(manifest, shape, manager)) {
            if (encoder != null) {
                checkChannels(encoder.spec(), shape);
            }
            FeatureExtractor single = encoder == null ? FeatureExtractor.pixels() : FeatureExtractor.encoder(encoder, batch);
            FeatureExtractor extractor = symmetries ? new SymmetricFeatureExtractor(single) : single;
            extractor = withTransform(extractor, train != null ? train : fitData(loadSize, loadChannels), encoder);
            Features trainFeatures = null;
            Features testFeatures = null;
            double featureSeconds = 0;
            boolean needFeatures = classify && (chosen.contains(Protocol.LINEAR) || chosen.contains(Protocol.KNN)
                    || dump != null || dumpTrain != null);
            if (needFeatures) {
                long start = System.nanoTime();
                trainFeatures = extract(extractor, train, "features train");
                testFeatures = extract(extractor, test, "features test");
                featureSeconds = (System.nanoTime() - start) / 1e9;
                if (dump != null) {
                    FeatureDump.write(dump, testFeatures);
                }
                if (dumpTrain != null) {
                    FeatureDump.write(dumpTrain, trainFeatures);
                }
            }
            if (!json.enabled()) {
                String sizes = classify ? "train " + train.size() + ", test " + test.size() + " images"
                        : plans.plans().images().size() + " held-out plans";
                System.out.printf("model %s, data %s (%s, %dx%dx%d), device %s%n",
                        encoder == null ? "raw pixels" : encoder.description(), data.value(), sizes,
                        shape.channels(), shape.height(), shape.width(), dev);
                if (needFeatures) {
                    System.out.printf("features: %s, dim %d, extracted in %.1f s%n", extractor.description(),
                            trainFeatures.dim(), featureSeconds);
                }
            }
            for (Protocol p : chosen) {
                Map<String, Object> row = switch (p) {
                    case LINEAR -> row(linear(trainFeatures, testFeatures, manager), featureSeconds, dev);
                    case KNN -> row(KnnEvaluation.run(trainFeatures, testFeatures,
                            new KnnEvaluation.Options(k, temperature), manager), featureSeconds, dev);
                    case FINETUNE -> row(finetune(encoder, train, test), null, dev);
                    case RETRIEVAL -> new RetrievalRun(model, data.value(), seed.value(), symmetries, dev, plot).row(extractor, plans);
                };
                rows.add(row);
                if (json.enabled()) {
                    System.out.println(new ObjectMapper().writeValueAsString(row));
                }
            }
        }
        if (!json.enabled()) {
            printTable(System.out, rows);
        }
        if (out != null) {
            writeDocument(rows, dev);
        }
        return PlanstreamCommand.EXIT_OK;
    }

    /**
     * The extractor under the transform {@code --embedding} names: the artifact's own, or one fitted on {@code fit}'s
     * features; the extractor itself for raw, and for served where the artifact has none.
     */
    private FeatureExtractor withTransform(FeatureExtractor extractor, ImageDataset fit, FrozenEncoder encoder) {
        EmbeddingTransform transform;
        if (fitSpec == null) {
            transform = encoder == null ? null : encoder.transform();
        } else if (fitSpec.raw()) {
            transform = null;
        } else {
            Features f = extract(extractor, fit, "features for " + fitSpec);
            transform = fitSpec.fit(f.values(), f.dim(), f.count() + " training images of " + data.value());
        }
        if (transform == null) {
            return extractor;
        }
        if (!json.enabled()) {
            System.out.printf("embedding: %s, fitted on %s%n", transform.description(), transform.fittedData());
        }
        return FeatureExtractor.transformed(extractor, transform);
    }

    /** The training split, for a transform fitted here where no protocol reads it. */
    private ImageDataset fitData(int loadSize, int loadChannels) throws IOException {
        if (fitSpec == null || fitSpec.raw()) {
            return null;
        }
        return subset(RplanFolder.open(data.value(), Split.TRAIN, loadSize, loadChannels), limitTrain, seed.value());
    }

    private Set<Protocol> checkArguments() {
        Set<Protocol> chosen = new LinkedHashSet<>();
        for (String p : protocols) {
            if (p.isBlank()) {
                continue;
            }
            try {
                chosen.add(Protocol.of(p));
            } catch (IllegalArgumentException e) {
                throw new PlanstreamCommand.UsageException("--protocol: " + e.getMessage());
            }
        }
        if (chosen.isEmpty()) {
            throw new PlanstreamCommand.UsageException("--protocol: name at least one of " + Protocol.ids());
        }
        if (model.equals(PIXELS) && chosen.contains(Protocol.FINETUNE)) {
            throw new PlanstreamCommand.UsageException("--protocol finetune needs an encoder; --model pixels has none");
        }
        if (plot != null && !chosen.contains(Protocol.RETRIEVAL)) {
            throw new PlanstreamCommand.UsageException("--plot draws the retrieval protocol's scores: add --protocol retrieval");
        }
        if (chosen.contains(Protocol.RETRIEVAL)) {
            RetrievalRun.checkData(data.value());
            if (chosen.size() == 1 && (dump != null || dumpTrain != null)) {
                throw new PlanstreamCommand.UsageException("--dump and --dump-train write the splits of linear, knn and"
                        + " finetune; --protocol retrieval alone reads no training split");
            }
        }
        if (model.startsWith(RANDOM)) {
            try {
                io.planstream.simclr.model.Architecture.of(model.substring(RANDOM.length()));
            } catch (IllegalArgumentException e) {
                throw new PlanstreamCommand.UsageException("--model " + model + ": " + e.getMessage());
            }
        } else if (!model.equals(PIXELS) && !Files.isDirectory(Path.of(model))) {
            throw new PlanstreamCommand.UsageException("--model must be a model artifact folder, random:ENCODER or pixels; "
                    + model + " is none of these");
        }
        if (!data.value().equals(DataSources.FASHION_MNIST) && !data.value().startsWith(DataSources.FASHION_MNIST + ":")
                && !(data.value().startsWith(io.planstream.app.demo.RplanFolder.PREFIX)
                        && Files.isDirectory(Path.of(data.value().substring(io.planstream.app.demo.RplanFolder.PREFIX.length()))))
                && !Files.isDirectory(Path.of(data.value()))) {
            throw new PlanstreamCommand.UsageException("--data must be fashion-mnist, fashion-mnist:DIR, rplan:DIR or a folder; "
                    + data.value() + " is none of these");
        }
        checkEmbedding();
        positive("--limit-train", limitTrain);
        positive("--limit-test", limitTest);
        positive("--finetune-limit", finetuneLimit);
        if (k < 1 || k > KnnEvaluation.MAX_K) {
            throw new PlanstreamCommand.UsageException("--k must be 1.." + KnnEvaluation.MAX_K + ", got " + k);
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new PlanstreamCommand.UsageException("--temperature must be > 0, got " + temperature);
        }
        if (maxIterations < 1) {
            throw new PlanstreamCommand.UsageException("--max-iterations must be at least 1, got " + maxIterations);
        }
        if (l2Grid != null && (l2Grid.isEmpty() || l2Grid.stream().anyMatch(l -> !(l >= 0) || !Double.isFinite(l)))) {
            throw new PlanstreamCommand.UsageException("--l2 must be finite strengths >= 0, got " + l2Grid);
        }
        if (epochs < 1 || epochs > FineTuneEvaluation.MAX_EPOCHS) {
            throw new PlanstreamCommand.UsageException("--epochs must be 1.." + FineTuneEvaluation.MAX_EPOCHS + ", got " + epochs);
        }
        if (!(learningRate > 0 && learningRate <= 1)) {
            throw new PlanstreamCommand.UsageException("--lr must be in (0, 1], got " + learningRate);
        }
        if (batch < 2 || batch > FeatureExtractor.MAX_BATCH) {
            throw new PlanstreamCommand.UsageException("--batch must be 2.." + FeatureExtractor.MAX_BATCH + ", got " + batch);
        }
        if (size != null && (size < EncoderSpec.MIN_SIZE || size > EncoderSpec.MAX_SIZE)) {
            throw new PlanstreamCommand.UsageException("--size must be " + EncoderSpec.MIN_SIZE + ".." + EncoderSpec.MAX_SIZE
                    + ", got " + size);
        }
        if (threads != null && (threads < 1 || threads > MAX_THREADS)) {
            throw new PlanstreamCommand.UsageException("--threads must be 1.." + MAX_THREADS + ", got " + threads);
        }
        if (channels != null && channels != 1 && channels != 3) {
            throw new PlanstreamCommand.UsageException("--channels must be 1 or 3, got " + channels);
        }
        return chosen;
    }

    /** Reads {@code --embedding} into {@link #fitSpec}. */
    private void checkEmbedding() {
        if (embedding.equals(SERVED)) {
            fitSpec = null;
            return;
        }
        try {
            fitSpec = EmbeddingTransform.Spec.parse(embedding);
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException("--embedding " + embedding + ": " + e.getMessage()
                    + " (served, raw, centre, whiten or whiten:SHRINKAGE)");
        }
    }

    private static void positive(String name, Integer value) {
        if (value != null && value < 1) {
            throw new PlanstreamCommand.UsageException(name + " must be >= 1, got " + value);
        }
    }

    private Device chooseDevice() {
        if (threads != null) {
            // libtorch reads it once, when DJL loads the engine: that is the next line in a fresh JVM.
            System.setProperty(THREADS_PROPERTY, Integer.toString(threads));
        }
        try {
            return Devices.choose(device.value());
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException("--device: " + e.getMessage());
        }
    }

    private ModelManifest readManifest() throws IOException {
        return ModelArtifact.readManifest(Path.of(model));
    }

    private FrozenEncoder openEncoder(ModelManifest manifest, ImageDataset train, NDManager manager) throws IOException {
        if (manifest != null) {
            return FrozenEncoder.load(Path.of(model), manager);
        }
        int side = size != null ? size : train.height();
        int c = channels != null ? channels : train.channels();
        EncoderSpec spec;
        try {
            spec = EncoderSpec.of(model.substring(RANDOM.length()), 1, null, c, side);
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException("--model " + model + ": " + e.getMessage());
        }
        return FrozenEncoder.random(spec, seed.value(), manager);
    }

    private static void checkChannels(EncoderSpec spec, ImageDataset data) {
        int c = data.channels();
        int want = spec.inputChannels();
        if (c != want && !((c == 1 && want == 3) || (c == 3 && want == 1))) {
            throw new PlanstreamCommand.UsageException("the encoder takes " + want + " channels and " + data.name() + " has "
                    + c + ": only grey and RGB convert into each other");
        }
    }

    private void checkData(ImageDataset train, ImageDataset test) {
        for (ImageDataset d : List.of(train, test)) {
            if (!d.labelled()) {
                throw new PlanstreamCommand.UsageException(data.value() + " (" + d.name() + ") is not labelled: evaluation needs a class per image");
            }
        }
        if (train.size() == test.size() && Arrays.equals(train.labels(), test.labels())
                && Arrays.equals(train.pixels(), test.pixels())) {
            throw new PlanstreamCommand.UsageException(data.value() + " has no separate test split (train and test are the same images):"
                    + " give a folder with train/ and test/ sub-folders");
        }
        if (train.height() != test.height() || train.width() != test.width() || train.channels() != test.channels()) {
            throw new PlanstreamCommand.UsageException(data.value() + ": train and test images differ in shape");
        }
    }

    /** @return a seeded random {@code limit} of the images, in their original order, or all of them */
    static ImageDataset subset(ImageDataset d, Integer limit, long seed) {
        int[] chosen = sample(d.size(), limit, seed);
        return chosen == null ? d : d.select(chosen);
    }

    /** @return a seeded random {@code limit} of the indices below {@code size}, in order; null for all of them */
    static int[] sample(int size, Integer limit, long seed) {
        if (limit == null || limit >= size) {
            return null;
        }
        int[] all = new int[size];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        Random random = new Random(seed);
        for (int i = 0; i < limit; i++) {
            int j = i + random.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = Arrays.copyOf(all, limit);
        Arrays.sort(chosen);
        return chosen;
    }

    static Features extract(FeatureExtractor extractor, ImageDataset d, String task) {
        try (ProgressBar bar = Progress.bar(task, d.size(), "images")) {
            return extractor.extract(d, (done, total) -> bar.stepTo(done));
        }
    }

    private EvalResult linear(Features train, Features test, NDManager manager) {
        LinearEvaluation.Options options = linearOptions();
        long budget = (long) (options.l2Grid().size() + 1) * options.maxIterations();
        try (ProgressBar bar = Progress.bar("linear", budget, "L-BFGS iterations")) {
            return LinearEvaluation.run(train, test, options, manager, (done, total) -> bar.stepTo(done));
        }
    }

    private LinearEvaluation.Options linearOptions() {
        return new LinearEvaluation.Options(l2Grid == null ? LinearEvaluation.DEFAULT_L2_GRID : l2Grid,
                LinearEvaluation.DEFAULT_VALIDATION_FRACTION, maxIterations, seed.value());
    }

    private EvalResult finetune(FrozenEncoder encoder, ImageDataset train, ImageDataset test) {
        ImageDataset tuneOn = subset(train, finetuneLimit, seed.value() + 2);
        boolean batchGiven = spec.commandLine().getParseResult().hasMatchedOption("--batch");
        FineTuneEvaluation.Options options = new FineTuneEvaluation.Options(epochs,
                batchGiven ? batch : FineTuneEvaluation.DEFAULT_BATCH, learningRate, seed.value());
        long total = (long) epochs * tuneOn.size();
        try (ProgressBar bar = Progress.bar("finetune", total, "images")) {
            return FineTuneEvaluation.run(encoder, tuneOn, test, options, (done, all) -> bar.stepTo(done));
        }
    }

    private Map<String, Object> row(EvalResult r, Double featureSeconds, Device dev) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("protocol", r.protocol().id());
        row.put("top1", r.top1());
        if (r.top5().isPresent()) {
            row.put("top5", r.top5().getAsDouble());
        }
        row.put("model", model);
        row.put("data", data.value());
        row.put("n_train", r.nTrain());
        row.put("n_test", r.nTest());
        row.put("feature_dim", r.featureDim());
        row.put("seconds", round(r.seconds()));
        if (featureSeconds != null) {
            row.put("feature_seconds", round(featureSeconds));
            row.put("symmetries", symmetries);
        }
        row.put("device", dev.toString());
        row.put("seed", seed.value());
        row.put("parameters", r.parameters());
        return row;
    }

    private static void printTable(PrintStream out, List<Map<String, Object>> rows) {
        List<Map<String, Object>> classified = rows.stream().filter(r -> r.containsKey("top1")).toList();
        if (!classified.isEmpty()) {
            String format = "%-9s %-7s %-7s %-8s %-7s %-6s %-9s %s%n";
            out.printf(format, "protocol", "top1", "top5", "n_train", "n_test", "dim", "seconds", "settings");
            for (Map<String, Object> r : classified) {
                out.printf(format, r.get("protocol"), percent(r.get("top1")), percent(r.get("top5")), r.get("n_train"),
                        r.get("n_test"), r.get("feature_dim"), r.get("seconds"), settings(r));
            }
        }
        RetrievalRun.printTable(out, rows.stream().filter(r -> !r.containsKey("top1")).toList());
    }

    @SuppressWarnings("unchecked")
    private static String settings(Map<String, Object> row) {
        Map<String, Object> p = (Map<String, Object>) row.get("parameters");
        List<String> parts = new ArrayList<>();
        for (String key : List.of("l2", "val_top1", "k", "temperature", "epochs", "learning_rate", "last_epoch_loss")) {
            Object v = p.get(key);
            if (v != null) {
                parts.add(key + "=" + (v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v));
            }
        }
        return String.join(" ", parts);
    }

    private static String percent(Object fraction) {
        return fraction instanceof Double d ? String.format(Locale.ROOT, "%.2f%%", 100 * d) : "-";
    }

    static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    private void writeDocument(List<Map<String, Object>> rows, Device dev) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model);
        doc.put("data", data.value());
        doc.put("device", dev.toString());
        doc.put("seed", seed.value());
        doc.put("created", Instant.now().toString());
        doc.put("results", rows);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), doc);
    }
}
