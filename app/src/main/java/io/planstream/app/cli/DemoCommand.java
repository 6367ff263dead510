package io.planstream.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import io.planstream.app.DemoApplication;
import io.planstream.app.demo.DemoData;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.train.CheckpointInterval;
import io.planstream.simclr.train.PretrainConfig;
import io.planstream.simclr.train.PretrainResult;
import io.planstream.simclr.train.Pretrainer;
import io.planstream.simclr.artifact.ModelArtifact;
import io.quarkus.runtime.Quarkus;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Everything on one machine, from nothing to answered queries: synthetic plans, an encoder pretrained on
 * them, the in-process broker and registry, ingest, embedding, indexing, and the API left running with the
 * trainer continuing the encoder's pretraining in rounds.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on one machine: generate synthetic plans (plus FILES), pretrain a small",
                "encoder on them with SimCLR (first start only), upload, embed, index, print the neighbours of one",
                "plan, and keep serving the API and the web page while the trainer continues pretraining in rounds",
                "(as new plans arrive, or on the page's Train now). Data stays in --data-dir and is reused on the next",
                "start; the log goes to DATA_DIR/logs/planstream.log."})
final class DemoCommand implements Callable<Integer> {

    static final String ENCODER = "resnet-mini";
    static final int SIZE = 64;
    /** NT-Xent temperature of the initial pretraining; the demo profile's trainer continues at the same one. */
    static final float TEMPERATURE = 0.2f;
    /** The configuration profile of the demo (application.properties' {@code %demo}): the trainer's demo settings. */
    static final String PROFILE = "demo";

    @Option(names = "--port", description = "HTTP port (default ${DEFAULT-VALUE}).", defaultValue = "8080")
    int port;

    @Option(names = "--data-dir", description = "Where the demo keeps its plans, model, broker log and indexes (default ${DEFAULT-VALUE}).",
            defaultValue = "planstream-demo")
    Path dataDir;

    @Option(names = "--count", description = "Synthetic plans to generate on first start (default ${DEFAULT-VALUE}).", defaultValue = "300")
    int count;

    @Option(names = "--epochs", description = "SimCLR epochs of the initial encoder on first start; 0 keeps the random bootstrap encoder (default ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int epochs;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--smoke", description = "Exit 0 once the first query has answered (for scripts and CI).")
    boolean smoke;

    @Option(names = "--no-trainer", description = "Run without the trainer role: no training rounds, no new model versions.")
    boolean noTrainer;

    @Mixin
    VerboseOption verbose = new VerboseOption();

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "More plans to upload: RPLAN files, pictures, or folders of them.")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new PlanstreamCommand.UsageException("--port must be 0..65535, got " + port);
        }
        if (count < 10 || count > 100_000) {
            throw new PlanstreamCommand.UsageException("--count must be 10..100000, got " + count);
        }
        if (epochs < 0 || epochs > 1000) {
            throw new PlanstreamCommand.UsageException("--epochs must be 0..1000, got " + epochs);
        }
        for (Path f : files) {
            if (!Files.exists(f)) {
                throw new PlanstreamCommand.UsageException("no such file or folder: " + f);
            }
        }
        Path data = dataDir.toAbsolutePath();
        Path plansDir = data.resolve("demo").resolve("plans");
        List<Path> plans = plans(plansDir);
        List<Path> uploads = new ArrayList<>(IngestCommand.collectFiles(files));
        uploads.addAll(plans);
        Path model = epochs == 0 ? null : initialModel(data.resolve("demo").resolve("pretrain"), uploads);

        System.setProperty("quarkus.http.port", String.valueOf(port));
        System.setProperty("quarkus.http.host", "127.0.0.1");
        System.setProperty("planstream.data-dir", data.toString());
        System.setProperty("planstream.roles", noTrainer ? "ingest,embedder,index" : "ingest,embedder,index,trainer");
        System.setProperty("quarkus.profile", PROFILE);
        verbose.apply();
        List<String> args = new ArrayList<>();
        args.add(smoke ? "smoke" : "serve");
        args.add(model == null ? "-" : model.toString());
        uploads.forEach(p -> args.add(p.toAbsolutePath().toString()));
        AtomicInteger exit = new AtomicInteger();
        Quarkus.run(DemoApplication.class, (code, failure) -> {
            if (failure != null) {
                // Quarkus wraps the cause ("Failed to start quarkus"): say what actually went wrong.
                System.err.println("planstream demo: " + ServeCommand.rootMessage(failure));
                if (Boolean.getBoolean("planstream.debug")) {
                    failure.printStackTrace();
                }
            }
            exit.set(code);
        }, args.toArray(String[]::new));
        return exit.get();
    }

    /** The synthetic plans, generated on first start. */
    private List<Path> plans(Path dir) throws IOException {
        if (!Files.exists(dir.resolve(FloorPlanGenerator.ATTRIBUTES_FILE))) {
            Files.createDirectories(dir);
            try (ProgressBar bar = Progress.bar("generate", count, "plans")) {
                new FloorPlanGenerator().generate(count, dir, seed.value(), done -> bar.stepTo(done));
            }
            System.out.printf("generated %d synthetic RPLAN plans in %s%n", count, dir);
        }
        return DemoData.pictures(dir);
    }

    /** The pretrained encoder's artifact, trained on first start. */
    private Path initialModel(Path out, List<Path> files) throws IOException {
        Path artifact = out.resolve(Pretrainer.MODEL);
        if (Files.exists(artifact.resolve(ModelArtifact.MANIFEST))) {
            return artifact;
        }
        ImageDataset dataset = DemoData.dataset(files, SIZE);
        PrintWriter err = new PrintWriter(System.err, true);
        System.out.printf("pretraining the initial encoder (%s, %d px) with SimCLR on %d plans for %d epochs (first start only)%n",
                ENCODER, SIZE, dataset.size(), epochs);
        PretrainConfig config = PretrainConfig.builder()
                .setData(dataset.name())
                .setEncoder(EncoderSpec.of(ENCODER, 3, SIZE))
                .optHead(ProjectionHeadSpec.v1())
                .optPolicy("floorplan")
                .setEpochs(epochs)
                .setBatchSize(Math.min(64, dataset.size()))
                .optTemperature(TEMPERATURE)
                .optSeed(seed.value())
                .setOutputDir(out)
                .optCheckpointEvery(CheckpointInterval.epochs(Math.max(1, epochs)))
                .build();
        PretrainCommand.BarListener bar = new PretrainCommand.BarListener(err, epochs, false);
        PretrainResult r;
        try {
            r = Pretrainer.run(config, dataset, bar);
        } finally {
            bar.finished();
        }
        System.out.printf(Locale.ROOT, "initial encoder ready in %.0f s: loss %.3f after %d steps (%.0f images/s); %s%n",
                r.wallTime().toMillis() / 1000.0, r.finalLoss(), r.steps(), r.imagesPerSecond(), r.artifact());
        return r.artifact();
    }
}
