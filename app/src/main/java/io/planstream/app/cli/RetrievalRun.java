package io.planstream.app.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.djl.Device;
import io.planstream.app.demo.PlanProgrammes;
import io.planstream.app.demo.PlanTransform;
import io.planstream.app.demo.RplanFolder;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.Split;
import io.planstream.simclr.eval.FeatureExtractor;
import io.planstream.simclr.eval.Features;
import io.planstream.simclr.eval.Protocol;
import io.planstream.simclr.eval.RetrievalEvaluation;
import io.planstream.simclr.eval.RetrievalResult;
import io.planstream.simclr.eval.ScorePlot;

/**
 * {@code eval --protocol retrieval}: the held-out generated plans, their room programmes, the features of the plans
 * and of their turned and mirrored copies, and the row and table of {@link RetrievalEvaluation}'s figures.
 */
final class RetrievalRun {

    /** The held-out plans (a seeded sample of them) and their room programmes, in the same order. */
    record GroundTruth(RplanFolder.Plans plans, List<Map<String, Integer>> programmes) {
    }

    private final String model;
    private final String data;
    private final long seed;
    private final boolean symmetries;
    private final Device device;
    private final Path plot;

    /** @param plot where to draw the scores of relevant against irrelevant pairs ({@link ScorePlot}); null for nowhere */
    RetrievalRun(String model, String data, long seed, boolean symmetries, Device device, Path plot) {
        this.model = model;
        this.data = data;
        this.seed = seed;
        this.symmetries = symmetries;
        this.device = device;
        this.plot = plot;
    }

    /** Retrieval is scored against room programmes: only generated plans, with their attributes file, have them. */
    static void checkData(String source) {
        Path dir = folder(source);
        if (dir == null) {
            throw new PlanstreamCommand.UsageException("--protocol retrieval needs plans whose rooms are known: rplan:DIR"
                    + " with the generator's " + FloorPlanGenerator.ATTRIBUTES_FILE + " in DIR; " + source
                    + " has no room programmes");
        }
        if (!PlanProgrammes.present(dir)) {
            throw new PlanstreamCommand.UsageException("--protocol retrieval: " + dir + " has no "
                    + FloorPlanGenerator.ATTRIBUTES_FILE + " (the rooms of each plan, as planstream generate writes it)");
        }
    }

    /** @return DIR of rplan:DIR, or a plain folder that holds generated plans; null for anything else */
    private static Path folder(String source) {
        if (source.startsWith(RplanFolder.PREFIX)) {
            return Path.of(source.substring(RplanFolder.PREFIX.length()));
        }
        Path dir = Path.of(source);
        return Files.isDirectory(dir) && PlanProgrammes.present(dir) ? dir : null;
    }

    /**
     * @param limit at most this many held-out plans, a seeded sample ({@code --limit-test}); null for all
     */
    static GroundTruth open(String source, int size, int channels, Integer limit, long seed) throws IOException {
        Path dir = folder(source);
        RplanFolder.Plans plans = RplanFolder.openPlans(dir, Split.TEST, size, channels);
        int[] chosen = EvalCommand.sample(plans.images().size(), limit, seed);
        if (chosen != null) {
            plans = plans.select(chosen);
        }
        if (plans.images().size() < 2) {
            throw new PlanstreamCommand.UsageException("--protocol retrieval needs at least 2 held-out plans; " + dir
                    + " has " + plans.images().size());
        }
        return new GroundTruth(plans, PlanProgrammes.read(dir).of(plans.files()));
    }

    /**
     * Features of the plans and of their copies under the seven other symmetries of the square, then the retrieval
     * figures as one row of results. The copies are made of the loaded (resized) images, so they differ from the
     * originals only by the transform.
     */
    Map<String, Object> row(FeatureExtractor extractor, GroundTruth truth) throws IOException {
        ImageDataset plans = truth.plans().images();
        long start = System.nanoTime();
        Features originals = EvalCommand.extract(extractor, plans, "features plans");
        List<PlanTransform> transforms = List.of(PlanTransform.values());
        int n = plans.size();
        float[] copies = new float[transforms.size() * originals.values().length];
        int[] originalOf = new int[transforms.size() * n];
        for (int t = 0; t < transforms.size(); t++) {
            Features f = EvalCommand.extract(extractor, transforms.get(t).apply(plans), "features " + transforms.get(t).id());
            System.arraycopy(f.values(), 0, copies, t * originals.values().length, originals.values().length);
            for (int i = 0; i < n; i++) {
                originalOf[t * n + i] = i;
            }
        }
        double featureSeconds = (System.nanoTime() - start) / 1e9;
        RetrievalResult r = RetrievalEvaluation.run(originals.values(), originals.dim(), truth.programmes(),
                new RetrievalEvaluation.Copies(copies, originalOf), RetrievalEvaluation.Options.defaults(seed));
        if (plot != null && r.relevantPairs() > 0 && r.irrelevantPairs() > 0) {
            Path parent = plot.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            String name = model.length() > 48 ? "..." + model.substring(model.length() - 45) : model;
            ScorePlot.write(plot, r, name + (symmetries ? ", 8 symmetries" : ""));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("protocol", Protocol.RETRIEVAL.id());
        row.put("map", finite(r.map()));
        row.put("precision", finite(r.precision()));
        row.put("ndcg", finite(r.ndcg()));
        row.put("k", r.k());
        row.put("auc", finite(r.auc()));
        row.put("relevant_mean", finite(r.relevantMean()));
        row.put("relevant_std", finite(r.relevantStd()));
        row.put("irrelevant_mean", finite(r.irrelevantMean()));
        row.put("irrelevant_std", finite(r.irrelevantStd()));
        row.put("invariance", finite(r.invariance()));
        row.put("model", model);
        row.put("data", data);
        row.put("n_test", r.nQueries());
        row.put("n_left_out", r.nLeftOut());
        row.put("n_ndcg_left_out", r.nNdcgLeftOut());
        row.put("feature_dim", r.featureDim());
        row.put("features", extractor.description());
        row.put("seconds", EvalCommand.round(r.seconds()));
        row.put("feature_seconds", EvalCommand.round(featureSeconds));
        row.put("device", device.toString());
        row.put("seed", seed);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("similarity", "cosine");
        params.put("relevant", "same room programme");
        params.put("gain", "room overlap");
        params.put("auc_method", r.aucSampled() ? "sampled" : "exact");
        params.put("auc_pairs", r.aucPairs());
        params.put("relevant_pairs", r.relevantPairs());
        params.put("irrelevant_pairs", r.irrelevantPairs());
        params.put("transforms", transforms.stream().map(PlanTransform::id).toList());
        params.put("n_copies", r.nCopies());
        params.put("symmetries", symmetries);
        row.put("parameters", params);
        row.put("histogram_lower_edges", RetrievalResult.binEdges());
        row.put("relevant_histogram", r.relevantHistogram());
        row.put("irrelevant_histogram", r.irrelevantHistogram());
        return row;
    }

    /** The retrieval rows as a table; nothing for none. */
    static void printTable(PrintStream out, List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        String format = "%-9s %-7s %-7s %-7s %-7s %-14s %-14s %-10s %-6s %-8s %-6s %s%n";
        out.printf(format, "protocol", "mAP@10", "P@10", "nDCG@10", "AUC", "cos relevant", "cos irrelevant",
                "invariance", "n", "left_out", "dim", "seconds");
        for (Map<String, Object> r : rows) {
            out.printf(format, r.get("protocol"), fraction(r.get("map")), fraction(r.get("precision")),
                    fraction(r.get("ndcg")), fraction(r.get("auc")),
                    meanStd(r.get("relevant_mean"), r.get("relevant_std")),
                    meanStd(r.get("irrelevant_mean"), r.get("irrelevant_std")), fraction(r.get("invariance")),
                    r.get("n_test"), r.get("n_left_out"), r.get("feature_dim"), r.get("seconds"));
        }
    }

    /** JSON has no NaN: an undefined figure is null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String fraction(Object value) {
        return value instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : "-";
    }

    private static String meanStd(Object mean, Object std) {
        return mean instanceof Double m && std instanceof Double sd
                ? String.format(Locale.ROOT, "%.3f+-%.3f", m, sd) : "-";
    }
}
