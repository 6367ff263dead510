package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.ndarray.NDManager;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.ingest.generate.GenerationProgress;
import io.planstream.simclr.artifact.ArtifactInfo;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.eval.FeatureDump;
import io.planstream.simclr.eval.Features;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;

/** {@code planstream eval} on a tiny Fashion-MNIST-format folder, without the server. */
class EvalCommandTest {

    private static final int SIDE = 12;
    private static final int CLASSES = TinyIdx.CLASSES;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static String source;

    @BeforeAll
    static void writeIdxFiles() throws IOException {
        source = TinyIdx.source(dir, 60, 30, SIDE);
    }

    @Test
    void shouldEvaluateARandomEncoderWithEveryProtocolAndWriteJsonAndADump() throws IOException {
        Path out = dir.resolve("results/random.json");
        Path dump = dir.resolve("test-features.csv");
        CliRun r = run("eval", "--model", "random:resnet-mini", "--data", source, "--protocol", "linear,knn",
                "--protocol", "finetune", "--k", "10", "--epochs", "1", "--batch", "16", "--json", "--out", out.toString(),
                "--dump", dump.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> lines = jsonLines(r.out());
        assertThat(lines).extracting(n -> n.get("protocol").asText()).containsExactly("linear", "knn", "finetune");
        for (JsonNode line : lines) {
            assertThat(line.get("top1").asDouble()).isBetween(0.0, 1.0);
            assertThat(line.get("model").asText()).isEqualTo("random:resnet-mini");
            assertThat(line.get("data").asText()).isEqualTo(source);
            assertThat(line.get("n_train").asInt()).isEqualTo(60);
            assertThat(line.get("n_test").asInt()).isEqualTo(30);
            assertThat(line.get("feature_dim").asInt()).isEqualTo(128);
            assertThat(line.has("seconds")).isTrue();
        }
        assertThat(lines.get(1).get("parameters").get("k").asInt()).isEqualTo(10);

        JsonNode doc = JSON.readTree(out.toFile());
        assertThat(doc.get("results")).hasSize(3);
        assertThat(doc.get("model").asText()).isEqualTo("random:resnet-mini");

        Features test = FeatureDump.read(dump, 10);
        assertThat(test.count()).isEqualTo(30);
        assertThat(test.dim()).isEqualTo(128);
        assertThat(test.labels()).containsExactly(labels(30));
    }

    @Test
    void shouldEvaluateASavedModelArtifact() throws IOException {
        Path artifact = dir.resolve("model");
        EncoderSpec spec = EncoderSpec.of("resnet-mini", 1, "small", 1, 16);
        SimClrModel net = SimClrModel.builder().setEncoder(spec).optHead(new ProjectionHeadSpec(2, 32, 16, false)).build();
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            ModelArtifact.save(artifact, net, new ArtifactInfo("v-test", null, Normalization.centred(1), "none", 0, Map.of()));
        }
        CliRun r = run("eval", "--model", artifact.toString(), "--data", source, "--protocol", "knn", "--k", "5");
        assertThat(r.code()).as(r.err()).isZero();
        // the 12-pixel images were resized to the model's 16
        assertThat(r.out()).contains("v-test", "knn", "128");
    }

    @Test
    void shouldSeparateTheClassesFromRawPixelsAndPrintATable() {
        CliRun r = run("eval", "--model", "pixels", "--data", source, "--limit-train", "45");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("protocol", "top1", "linear", "raw pixels");
        CliRun json = run("eval", "--model", "pixels", "--data", source, "--protocol", "linear", "--max-iterations", "37", "--json");
        JsonNode line = jsonLines(json.out()).get(0);
        // each class lights its own quadrant: a linear classifier on pixels gets them all
        assertThat(line.get("top1").asDouble()).isGreaterThanOrEqualTo(0.95);
        assertThat(line.get("feature_dim").asInt()).isEqualTo(SIDE * SIDE);
        assertThat(line.get("parameters").get("max_iterations").asInt()).isEqualTo(37);
    }

    @Test
    void shouldExitWith2OnBadUsage() {
        assertThat(run("eval", "--model", "pixels", "--data", source, "--protocol", "nope").code()).isEqualTo(2);
        assertThat(run("eval", "--model", "pixels", "--data", source, "--protocol", "finetune").code()).isEqualTo(2);
        assertThat(run("eval", "--model", dir.resolve("missing").toString(), "--data", source).code()).isEqualTo(2);
        assertThat(run("eval", "--model", "random:resnet-9000", "--data", source).code()).isEqualTo(2);
        assertThat(run("eval", "--model", "pixels", "--data", dir.resolve("nothing").toString()).code()).isEqualTo(2);
        assertThat(run("eval", "--model", "pixels", "--data", source, "--k", "0").code()).isEqualTo(2);
        CliRun iterations = run("eval", "--model", "pixels", "--data", source, "--max-iterations", "0");
        assertThat(iterations.code()).isEqualTo(2);
        assertThat(iterations.err()).contains("--max-iterations must be at least 1, got 0");
        assertThat(run("eval", "--model", "pixels", "--data", source, "--limit-train", "0").code()).isEqualTo(2);
        assertThat(run("eval", "--model", "pixels", "--data", source, "--threads", "0").code()).isEqualTo(2);
        assertThat(run("eval", "--model", "pixels", "--data", source, "--device", "tpu").code()).isEqualTo(2);
        assertThat(run("eval", "--model", "pixels").code()).isEqualTo(2);
        CliRun help = run("eval", "--help");
        assertThat(help.code()).isZero();
        assertThat(PlanstreamCommand.newCommandLine().getUsageMessage()).contains("eval");
    }

    @Test
    void shouldExitWith1WhenTheModelFolderIsNotAnArtifact() throws IOException {
        Path notAModel = Files.createDirectories(dir.resolve("not-a-model"));
        CliRun r = run("eval", "--model", notAModel.toString(), "--data", source);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("manifest.json");
    }

    @Test
    void shouldScoreRetrievalOfGeneratedPlansFromRawPixels() throws IOException {
        Path plans = generatedPlans();
        Path out = dir.resolve("results/retrieval.json");
        CliRun r = run("eval", "--model", "pixels", "--data", "rplan:" + plans, "--protocol", "retrieval", "--size", "16",
                "--json", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode line = jsonLines(r.out()).get(0);
        assertThat(line.get("protocol").asText()).isEqualTo("retrieval");
        for (String figure : List.of("map", "precision", "ndcg", "auc", "invariance")) {
            assertThat(line.get(figure).isNumber()).as(figure).isTrue();
            assertThat(line.get(figure).asDouble()).as(figure).isBetween(0.0, 1.0);
        }
        assertThat(line.get("relevant_mean").asDouble()).isBetween(-1.0, 1.0);
        assertThat(line.get("irrelevant_mean").asDouble()).isBetween(-1.0, 1.0);
        assertThat(line.get("feature_dim").asInt()).isEqualTo(3 * 16 * 16);
        assertThat(line.get("k").asInt()).isEqualTo(10);
        int n = line.get("n_test").asInt();
        // one plan in five is held out
        assertThat(n).isBetween(10, 40);
        assertThat(line.get("parameters").get("n_copies").asInt()).isEqualTo(7 * n);
        assertThat(line.get("parameters").get("symmetries").asBoolean()).isFalse();
        assertThat(line.get("parameters").get("auc_method").asText()).isEqualTo("exact");
        JsonNode written = JSON.readTree(out.toFile()).get("results").get(0);
        assertThat(written.get("map").asDouble()).isEqualTo(line.get("map").asDouble());

        CliRun limited = run("eval", "--model", "pixels", "--data", "rplan:" + plans, "--protocol", "retrieval", "--size", "16",
                "--limit-test", "6");
        assertThat(limited.code()).as(limited.err()).isZero();
        assertThat(limited.out()).contains("mAP@10", "nDCG@10", "invariance", "6 held-out plans");

        // The features the embedder serves (the mean over the 8 symmetries): every turned or flipped copy finds its plan.
        CliRun served = run("eval", "--model", "pixels", "--data", "rplan:" + plans, "--protocol", "retrieval", "--size", "16",
                "--symmetries", "--json");
        assertThat(served.code()).as(served.err()).isZero();
        JsonNode symmetric = jsonLines(served.out()).get(0);
        assertThat(symmetric.get("parameters").get("symmetries").asBoolean()).isTrue();
        assertThat(symmetric.get("invariance").asDouble()).isEqualTo(1.0);
        assertThat(line.get("invariance").asDouble()).isLessThan(1.0);

        // Pixels are all >= 0: every pair of plans is alike by cosine until the training plans' mean is taken away.
        Path plot = dir.resolve("plots/scores.png");
        CliRun centred = run("eval", "--model", "pixels", "--data", "rplan:" + plans, "--protocol", "retrieval", "--size", "16",
                "--embedding", "centre", "--json", "--plot", plot.toString());
        assertThat(centred.code()).as(centred.err()).isZero();
        JsonNode c = jsonLines(centred.out()).get(0);
        assertThat(line.get("irrelevant_mean").asDouble()).isGreaterThan(0.5);
        assertThat(Math.abs(c.get("irrelevant_mean").asDouble())).isLessThan(0.2);
        assertThat(c.get("relevant_mean").asDouble()).isGreaterThan(c.get("irrelevant_mean").asDouble());
        assertThat(c.get("features").asText()).contains("centre");
        assertThat(line.get("features").asText()).doesNotContain("centre");
        assertThat(javax.imageio.ImageIO.read(plot.toFile()).getWidth()).isEqualTo(io.planstream.simclr.eval.ScorePlot.WIDTH);
        long counted = 0;
        for (JsonNode bin : c.get("relevant_histogram")) {
            counted += bin.asLong();
        }
        assertThat(counted).isEqualTo(c.get("parameters").get("relevant_pairs").asLong());
        assertThat(run("eval", "--model", "pixels", "--data", "rplan:" + plans, "--protocol", "knn", "--plot",
                plot.toString()).err()).contains("--plot draws the retrieval protocol's scores");
        CliRun bad = run("eval", "--model", "pixels", "--data", "rplan:" + plans, "--protocol", "retrieval",
                "--embedding", "centre:2");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--embedding centre:2", "only whiten takes a shrinkage");
    }

    @Test
    void shouldRefuseRetrievalWithoutRoomProgrammes() throws IOException {
        CliRun fashion = run("eval", "--model", "pixels", "--data", source, "--protocol", "retrieval");
        assertThat(fashion.code()).isEqualTo(2);
        assertThat(fashion.err()).contains("--protocol retrieval", "no room programmes");

        Path noAttributes = Files.createDirectories(dir.resolve("plans-without-attributes"));
        new FloorPlanGenerator().generate(10, noAttributes, 3, GenerationProgress.none());
        Files.delete(noAttributes.resolve(FloorPlanGenerator.ATTRIBUTES_FILE));
        CliRun missing = run("eval", "--model", "pixels", "--data", "rplan:" + noAttributes, "--protocol", "retrieval");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("has no attributes.jsonl");

        CliRun dumpAlone = run("eval", "--model", "pixels", "--data", "rplan:" + generatedPlans(), "--protocol", "retrieval",
                "--dump", dir.resolve("f.csv").toString());
        assertThat(dumpAlone.code()).isEqualTo(2);
    }

    /** 100 plans of 3 or 4 rooms: few programmes, so most held-out plans have a relevant partner. */
    private static synchronized Path generatedPlans() throws IOException {
        Path plans = dir.resolve("plans");
        if (!Files.exists(plans.resolve(FloorPlanGenerator.ATTRIBUTES_FILE))) {
            FloorPlanGenerator.builder().optMinRooms(3).optMaxRooms(4).build()
                    .generate(100, plans, 11, GenerationProgress.none());
        }
        return plans;
    }

    private static int[] labels(int count) {
        int[] l = new int[count];
        for (int i = 0; i < count; i++) {
            l[i] = i % CLASSES;
        }
        return l;
    }

    private static List<JsonNode> jsonLines(String out) {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                try {
                    nodes.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            }
        }
        return nodes;
    }

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }
}
