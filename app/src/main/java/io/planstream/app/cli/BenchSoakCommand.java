package io.planstream.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.simclr.ResidentMemory;
import io.planstream.trainer.QualityGate;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A long run of the whole pipeline under a steady upload rate with one burst above what the
 * embedder keeps up with: the server's resident memory (native memory included: libtorch, Kafka,
 * Lucene) and the backlog (accepted but not yet searchable) sampled over time, then the drain.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Resident memory and backlog of a serve process (every role) over a long run: steady uploads at --rate,",
                "one burst at --burst-rate in the middle (back-pressure: uploads must still succeed), then the backlog must drain.",
                "Writes soak.csv, soak.png and soak.json to --out."})
final class BenchSoakCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--minutes", defaultValue = "60", description = "Length of the upload phase (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--rate", defaultValue = "2", description = "Steady uploads per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--burst-rate", defaultValue = "40", description = "Uploads per second during the burst (default ${DEFAULT-VALUE}).")
    double burstRate;

    @Option(names = "--burst-seconds", defaultValue = "60", description = "Length of the burst (default ${DEFAULT-VALUE}).")
    int burstSeconds;

    @Option(names = "--burst-at", description = {"Minute of the upload phase the burst starts (default: half time). An early burst",
            "fills the trainer's bounded buffer early, so that the rest of the run shows what the rounds leave behind."})
    Double burstAt;

    @Option(names = "--sample-seconds", defaultValue = "10", description = "Sampling interval (default ${DEFAULT-VALUE}).")
    int sampleSeconds;

    @Option(names = "--drain-minutes", defaultValue = "10", description = "Longest wait for the backlog to drain after the uploads (default ${DEFAULT-VALUE}).")
    double drainMinutes;

    @Option(names = "--trainer-every", defaultValue = "1000",
            description = "planstream.trainer.min-new-images of the server: a training round every N uploads, 0 = none (default ${DEFAULT-VALUE}).")
    int trainerEvery;

    @Option(names = "--gate-margin", description = {"planstream.trainer.margin of the server (default: the server's own, 0.0). A soak",
            "that must see roll-outs passes 1.0, the loosest gate: it measures resources, not model quality."})
    Double gateMargin;

    @Option(names = "--heap-mb", defaultValue = "1536", description = "Java heap of the server, fixed (default ${DEFAULT-VALUE}).")
    int heapMb;

    @Mixin
    SeedOption seed = new SeedOption(11);

    @Mixin
    OutputFolder.Unlabelled out;

    /** One sample. */
    record Sample(double minute, double rssMb, double anonMb, long accepted, long indexed, long embedderLag, long uploadsOk,
                  long uploadsFailed, int activeVersion) {
        long backlog() {
            return Math.max(0, accepted - indexed);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!(minutes > 0 && minutes <= 24 * 60) || !(rate > 0 && rate <= 1000) || !(burstRate >= rate && burstRate <= 1000)
                || burstSeconds < 0 || sampleSeconds < 1 || !(drainMinutes >= 0) || trainerEvery < 0
                || burstAt != null && !(burstAt >= 0 && burstAt < minutes)
                || gateMargin != null && !(gateMargin >= -QualityGate.MAX_MARGIN && gateMargin <= QualityGate.MAX_MARGIN)) {
            throw new PlanstreamCommand.UsageException("need 0 < --minutes <= 1440, 0 < --rate <= --burst-rate <= 1000, --burst-seconds >= 0,"
                    + " 0 <= --burst-at < --minutes, --sample-seconds >= 1, --drain-minutes >= 0, --trainer-every >= 0, -1 <= --gate-margin <= 1");
        }
        Files.createDirectories(out.path());
        // A fixed heap, all of it touched at start: what RSS adds on top of it over time is native memory
        // (libtorch, Lucene, Kafka, threads), not heap pages used for the first time.
        List<String> args = new ArrayList<>(List.of("-Xmx" + heapMb + "m", "-Xms" + heapMb + "m", "-XX:+AlwaysPreTouch",
                "-Dplanstream.trainer.min-new-images=" + trainerEvery, "-Dplanstream.trainer.epochs=1"));
        if (gateMargin != null) {
            args.add("-Dplanstream.trainer.margin=" + gateMargin);
        }
        try (LocalServer server = LocalServer.start(args, Duration.ofMinutes(5))) {
            List<Sample> samples = run(server);
            write(samples);
        }
        return PlanstreamCommand.EXIT_OK;
    }

    private List<Sample> run(LocalServer server) throws Exception {
        HttpUploader uploader = new HttpUploader(server.url());
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        FloorPlanGenerator plans = new FloorPlanGenerator();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong next = new AtomicLong();
        List<Sample> samples = new ArrayList<>();
        long uploadNanos = (long) (minutes * 60e9);
        long burstStart = burstAt == null ? uploadNanos / 2 : (long) (burstAt * 60e9);
        long burstEnd = burstStart + burstSeconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        long nextSample = 0;
        double credit = 0;
        long last = start;
        try (ProgressBar bar = Progress.bar("soak", (long) (minutes * 60), "s")) {
            while (true) {
                long now = System.nanoTime();
                long t = now - start;
                if (t >= nextSample) {
                    samples.add(sample(client, server, t, ok.get(), failed.get()));
                    nextSample += sampleSeconds * 1_000_000_000L;
                }
                if (t >= uploadNanos) {
                    break;
                }
                double r = t >= burstStart && t < burstEnd ? burstRate : rate;
                credit += r * (now - last) / 1e9;
                last = now;
                while (credit >= 1) {
                    credit -= 1;
                    long n = next.getAndIncrement();
                    pool.submit(() -> upload(uploader, plans.generate(seed.value() * 1_000_003L + n).png(), ok, failed));
                }
                bar.stepTo(Math.min((long) (minutes * 60), t / 1_000_000_000L));
                bar.setExtraMessage(String.format(" %d ok, %d failed, RSS %.0f MB, backlog %d", ok.get(), failed.get(),
                        samples.get(samples.size() - 1).rssMb(), samples.get(samples.size() - 1).backlog()));
                Thread.sleep(20);
            }
        }
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.MINUTES);
        // Drain: keep sampling until everything accepted is searchable, or the wait is over.
        long drainDeadline = System.nanoTime() + (long) (drainMinutes * 60e9);
        while (System.nanoTime() < drainDeadline) {
            Sample s = sample(client, server, System.nanoTime() - start, ok.get(), failed.get());
            samples.add(s);
            if (s.backlog() == 0 && s.accepted() >= ok.get()) {
                break;
            }
            Thread.sleep(sampleSeconds * 1000L);
        }
        return samples;
    }

    private static void upload(HttpUploader uploader, byte[] png, AtomicLong ok, AtomicLong failed) {
        try {
            HttpUploader.Result r = uploader.upload(png, "image/png", Map.of());
            (r.accepted() ? ok : failed).incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
        }
    }

    private static Sample sample(HttpClient client, LocalServer server, long nanos, long ok, long failed) throws InterruptedException {
        Map<String, Double> memory = ResidentMemory.statusMb(server.process().pid(), "VmRSS:", "RssAnon:");
        double rss = memory.getOrDefault("VmRSS:", -1.0);
        double anon = memory.getOrDefault("RssAnon:", -1.0);
        long accepted = -1;
        long indexed = -1;
        long lag = -1;
        int active = -1;
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/status")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode status = JSON.readTree(r.body());
            accepted = status.path("ingest").path("images").asLong(-1);
            JsonNode index = status.path("index");
            active = index.path("active").asInt(-1);
            indexed = 0;
            for (JsonNode v : index.path("versions")) {
                if (v.path("version").asInt() == active) {
                    indexed = v.path("documents").asLong();
                }
            }
            lag = 0;
            for (JsonNode v : status.path("embedder").path("versions")) {
                lag = Math.max(lag, v.path("lag").asLong());
            }
        } catch (IOException e) {
            // The sample keeps -1: the server did not answer in time.
        }
        return new Sample(nanos / 60e9, rss, anon, accepted, indexed, lag, ok, failed, active);
    }

    private void write(List<Sample> samples) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.path().resolve("soak.csv")))) {
            w.println("minute,rss_mb,rss_anon_mb,accepted,indexed,backlog,embedder_lag,uploads_ok,uploads_failed,active_version");
            for (Sample s : samples) {
                w.printf(java.util.Locale.ROOT, "%.3f,%.1f,%.1f,%d,%d,%d,%d,%d,%d,%d%n", s.minute(), s.rssMb(), s.anonMb(), s.accepted(),
                        s.indexed(), s.backlog(), s.embedderLag(), s.uploadsOk(), s.uploadsFailed(), s.activeVersion());
            }
        }
        plot(samples, out.path().resolve("soak.png"));

        Sample lastUpload = samples.stream().filter(s -> s.minute() <= minutes).reduce((x, y) -> y).orElseThrow();
        Sample end = samples.get(samples.size() - 1);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("bench", "soak");
        summary.put("minutes", minutes);
        summary.put("rate", rate);
        summary.put("burst_rate", burstRate);
        summary.put("burst_seconds", burstSeconds);
        summary.put("burst_at_minute", burstAt == null ? minutes / 2 : burstAt);
        summary.put("heap_mb", heapMb);
        summary.put("uploads_ok", end.uploadsOk());
        summary.put("uploads_failed", end.uploadsFailed());
        summary.put("accepted_at_end", end.accepted());
        summary.put("indexed_at_end", end.indexed());
        summary.put("max_backlog", samples.stream().mapToLong(Sample::backlog).max().orElse(0));
        summary.put("drained", end.backlog() == 0);
        summary.put("drain_minutes", end.minute() - lastUpload.minute());
        summary.put("rss_mb_first", samples.get(0).rssMb());
        summary.put("rss_mb_max", samples.stream().mapToDouble(Sample::rssMb).max().orElse(-1));
        summary.put("rss_mb_end", end.rssMb());
        List<Sample> secondHalf = samples.stream().filter(s -> s.minute() >= minutes / 2 && s.minute() <= minutes).toList();
        summary.put("rss_mb_second_half_min", secondHalf.stream().mapToDouble(Sample::rssMb).min().orElse(-1));
        summary.put("rss_mb_second_half_max", secondHalf.stream().mapToDouble(Sample::rssMb).max().orElse(-1));
        summary.put("active_version_at_end", end.activeVersion());
        summary.put("rollouts", rollouts(samples));
        summary.put("rss_mb_per_hour_second_half", slopePerHour(secondHalf));
        String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary);
        Files.writeString(out.path().resolve("soak.json"), json);
        System.out.println(json);
    }

    /** How often the active version changed between samples that read it. */
    static int rollouts(List<Sample> samples) {
        int changes = 0;
        int last = -1;
        for (Sample s : samples) {
            if (s.activeVersion() >= 0) {
                if (last >= 0 && s.activeVersion() != last) {
                    changes++;
                }
                last = s.activeVersion();
            }
        }
        return changes;
    }

    /** Least-squares slope of RSS against time, in MB per hour. */
    static double slopePerHour(List<Sample> s) {
        int n = s.size();
        if (n < 2) {
            return 0;
        }
        double mx = s.stream().mapToDouble(Sample::minute).average().orElse(0);
        double my = s.stream().mapToDouble(Sample::rssMb).average().orElse(0);
        double num = 0;
        double den = 0;
        for (Sample x : s) {
            num += (x.minute() - mx) * (x.rssMb() - my);
            den += (x.minute() - mx) * (x.minute() - mx);
        }
        return den == 0 ? 0 : num / den * 60;
    }

    /** Draws resident memory above the backlog and the active version, minute by minute. */
    static void plot(List<Sample> samples, Path png) throws IOException {
        double[] minute = samples.stream().mapToDouble(Sample::minute).toArray();
        XYChart rssChart = new XYChartBuilder().width(900).height(320).title("resident memory of the serve process (every role)")
                .xAxisTitle("minutes").yAxisTitle("MB").build();
        rssChart.addSeries("RSS", minute, samples.stream().mapToDouble(Sample::rssMb).toArray()).setMarker(SeriesMarkers.NONE);
        rssChart.addSeries("anonymous (heap + native)", minute, samples.stream().mapToDouble(Sample::anonMb).toArray())
                .setMarker(SeriesMarkers.NONE);
        XYChart backlogChart = new XYChartBuilder().width(900).height(320).title("backlog: accepted, not yet searchable")
                .xAxisTitle("minutes").yAxisTitle("images").build();
        backlogChart.addSeries("backlog", minute, samples.stream().mapToDouble(Sample::backlog).toArray()).setMarker(SeriesMarkers.NONE);
        backlogChart.addSeries("active model version", minute, samples.stream().mapToDouble(Sample::activeVersion).toArray())
                .setMarker(SeriesMarkers.NONE).setYAxisGroup(1);
        backlogChart.setYAxisGroupTitle(1, "version");
        backlogChart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        java.awt.image.BufferedImage a = BitmapEncoder.getBufferedImage(rssChart);
        java.awt.image.BufferedImage b = BitmapEncoder.getBufferedImage(backlogChart);
        java.awt.image.BufferedImage both = new java.awt.image.BufferedImage(a.getWidth(), a.getHeight() + b.getHeight(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = both.createGraphics();
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, 0, a.getHeight(), null);
        g.dispose();
        javax.imageio.ImageIO.write(both, "png", png.toFile());
    }
}
