package io.planstream.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;

import io.planstream.app.cli.Progress;
import io.planstream.app.config.LogFile;
import io.planstream.app.config.PlanstreamConfig;
import io.planstream.app.demo.DemoConsole;
import io.planstream.app.index.IndexRole;
import io.planstream.app.index.ModelResource;
import io.planstream.app.trainer.TrainerConfig;
import io.planstream.app.trainer.TrainerRole;
import io.planstream.avro.ModelVersion;
import io.planstream.index.service.IndexService;
import io.planstream.index.service.SearchHit;
import io.planstream.index.service.SearchResult;
import io.planstream.index.service.VersionStatus;
import io.planstream.ingest.ImageId;
import io.planstream.ingest.Upload;
import io.planstream.ingest.UploadService;
import io.planstream.ingest.catalog.ImageCatalog;
import io.planstream.models.ModelLog;
import io.planstream.models.ModelPublisher;
import io.planstream.models.ModelRecords;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.artifact.ModelArtifact;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import me.tongfei.progressbar.ProgressBar;

/**
 * The demo once the server is up: publishes the initial model, uploads the plans, waits until they are
 * embedded and indexed, prints the neighbours of one plan, starts the trainer, then keeps serving (or exits
 * with --smoke).
 *
 * <p>Arguments (written by the demo command): {@code smoke|serve}, the initial model's artifact
 * directory or {@code -}, then the files to upload.
 */
public class DemoApplication implements QuarkusApplication {

    /** How long the demo waits for its uploads to become searchable before it gives up. */
    static final Duration INDEX_TIMEOUT = Duration.ofMinutes(15);

    @Inject
    KafkaPlatform platform;

    @Inject
    PlanstreamConfig config;

    @Inject
    UploadService uploads;

    @Inject
    ImageCatalog catalog;

    @Inject
    IndexRole index;

    @Inject
    TrainerRole trainer;

    @Inject
    TrainerConfig trainerConfig;

    @Inject
    LogFile log;

    @Override
    public int run(String... args) throws Exception {
        PrintStream out = System.out;
        boolean smoke = "smoke".equals(args[0]);
        Path model = "-".equals(args[1]) ? null : Path.of(args[1]);
        List<Path> files = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            files.add(Path.of(args[i]));
        }
        IndexService service = index.service().orElseThrow(() -> new IllegalStateException("the demo needs the index role"));
        out.printf("planstream demo: Kafka broker %s, schema registry %s, data in %s%n", platform.bootstrapServers(),
                platform.schemaRegistryUrl(), config.dataDir().toAbsolutePath());
        out.println("planstream demo: " + log.describe());
        catalog.awaitCaughtUp(Duration.ofSeconds(60));

        int version = publishInitialModel(model, out);
        Ingested ingested = ingest(files, out);
        if (ingested.total() == 0) {
            System.err.println("planstream demo: no file was accepted, nothing to search");
            return 1;
        }
        if (!awaitIndexed(service, version, ingested.total())) {
            System.err.printf("planstream demo: the plans were not all searchable in version %d within %d minutes; see GET /models%n",
                    version, INDEX_TIMEOUT.toMinutes());
            return 1;
        }
        String probe = ingested.first();
        SearchResult result = service.similar(probe, 5, 100);
        printNeighbours(out, probe, result);
        String base = "http://localhost:" + System.getProperty("quarkus.http.port", "8080");
        out.printf("try: curl '%s/images/%s/similar?k=10'   (also POST %s/search with a picture, GET %s/models)%n",
                base, probe, base, base);
        // The plans uploaded so far are the trainer's backlog: its rounds count the plans that come after them.
        trainer.start();
        out.println(trainerLine(base));
        if (smoke) {
            out.println("planstream demo: smoke run answered its first query; stopping");
            return 0;
        }
        out.printf("planstream demo: serving on %s until interrupted (Ctrl-C); open %s/ in a browser for the web page%n", base, base);
        out.flush();
        try (DemoConsole console = new DemoConsole(out, service, trainer.service()).start()) {
            Quarkus.waitForExit();
        }
        return 0;
    }

    /** What the trainer does in this demo, and how to ask it for a round. */
    private String trainerLine(String base) {
        if (trainer.service().isEmpty()) {
            return "trainer: off (--no-trainer); the model stays at the version above";
        }
        long every = trainerConfig.minNewImages();
        return "trainer: continues pretraining the model on the plans in rounds"
                + (every > 0 ? " after every " + every + " new plans" : "") + "; a round now: Train now on the page, or"
                + " ./planstream train --once --url " + base;
    }

    /** Publishes the pretrained encoder as the next version unless the models topic already holds it. */
    private int publishInitialModel(Path artifact, PrintStream out) throws IOException {
        TreeMap<Integer, ModelVersion> known = ModelLog.readAll(platform, Duration.ofSeconds(30));
        if (artifact == null) {
            int v = known.isEmpty() ? 0 : known.lastKey();
            out.printf("initial model: version %d (%s)%n", v, v == 0 ? "the seeded random bootstrap encoder; no pretraining asked for"
                    : known.get(v).getArchitecture() + ", published earlier");
            return v;
        }
        String sha = ModelArtifact.sha256Hex(ModelArtifact.parametersFile(artifact));
        for (ModelVersion v : known.values()) {
            if (v.getArtifactSha256().equalsIgnoreCase(sha)) {
                int newest = known.lastKey();
                out.printf("initial model: version %d (%s, pretrained with SimCLR on the demo plans), published earlier; newest is %d%n",
                        v.getVersion(), v.getArchitecture(), newest);
                return newest;
            }
        }
        ModelVersion record;
        try (ModelPublisher publisher = new ModelPublisher(platform, ModelResource.OPERATOR_TRANSACTIONAL_ID)) {
            record = publisher.publish(artifact, ModelRecords.template(artifact, null, Map.of(), "planstream demo"));
        }
        int version = record.getVersion();
        out.printf("initial model: version %d, %s (%d dimensions, %d px) pretrained with SimCLR on the demo plans; artifact %s%n",
                version, record.getArchitecture(), record.getDimension(), record.getInputSize(), record.getArtifactUri());
        return version;
    }

    record Ingested(int total, String first) {
    }

    /** Uploads the files not uploaded before; a refused file is reported with its reason and skipped. */
    private Ingested ingest(List<Path> files, PrintStream out) throws IOException {
        int accepted = 0;
        int already = 0;
        List<String> refused = new ArrayList<>();
        String first = null;
        try (ProgressBar bar = Progress.bar("upload", files.size(), "files")) {
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                String id = ImageId.sha256Hex(bytes);
                try {
                    if (catalog.find(id).isPresent()) {
                        already++;
                    } else {
                        id = uploads.accept(new Upload(bytes, null, null, null, "demo", f.getFileName().toString(), Map.of())).id();
                        accepted++;
                    }
                    if (first == null) {
                        first = id;
                    }
                } catch (RuntimeException e) {
                    refused.add(f + ": " + e.getMessage());
                }
                bar.step();
            }
        }
        out.printf("uploaded %d plans (%d were already there)%s%n", accepted, already, refused.isEmpty() ? "" : ", refused " + refused.size() + ":");
        refused.forEach(r -> out.println("  " + r));
        return new Ingested(catalog.size(), first);
    }

    /** Waits, with a progress bar, until {@code version} answers queries and holds every image. */
    private static boolean awaitIndexed(IndexService service, int version, int images) throws InterruptedException {
        long deadline = System.nanoTime() + INDEX_TIMEOUT.toNanos();
        try (ProgressBar bar = Progress.bar("embed+index v" + version, images, "plans")) {
            while (System.nanoTime() < deadline) {
                int docs = service.status().versions().stream().filter(v -> v.version() == version)
                        .mapToInt(VersionStatus::documents).findFirst().orElse(0);
                bar.stepTo(Math.min(docs, images));
                if (docs >= images && service.activeVersion().orElse(-1) == version) {
                    return true;
                }
                Thread.sleep(250);
            }
        }
        return false;
    }

    private static void printNeighbours(PrintStream out, String probe, SearchResult r) {
        out.printf(Locale.ROOT, "nearest plans to %s (model version %d, %.1f ms):%n", probe, r.modelVersion(), r.tookMs());
        out.printf(Locale.ROOT, "  %-4s %-66s %7s  %s%n", "rank", "id", "score", "rooms");
        int rank = 1;
        for (SearchHit h : r.hits()) {
            String rooms = h.metadata().entrySet().stream().filter(e -> e.getKey().startsWith("rooms."))
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey().substring("rooms.".length()) + "=" + e.getValue())
                    .reduce((a, b) -> a + " " + b).orElse("-");
            out.printf(Locale.ROOT, "  %-4d %-66s %7.4f  %s%n", rank++, h.id(), h.score(), rooms);
        }
    }
}
