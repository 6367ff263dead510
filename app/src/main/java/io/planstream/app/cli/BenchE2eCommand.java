package io.planstream.app.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.ingest.generate.FloorPlanGenerator;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Upload-to-searchable latency: uploads synthetic plans through the HTTP API at a steady rate and, for
 * each, waits with {@code GET /images/{id}?waitFor=searchable} (answered by the server the moment a
 * refresh makes the image searchable in the active version: no polling delay is added). The answer's
 * timeline says where the time went: accepted, embedded, indexed (read by the index once the embedder's
 * transaction committed, and applied), searchable; each is reported as time since the upload was sent.
 */
@Command(name = "e2e", mixinStandardHelpOptions = true,
        description = {"Time from upload to searchable, per stage: steady uploads through the API, each awaited with",
                "GET /images/{id}?waitFor=searchable; p50/p99 of accepted, embedded, indexed, searchable and answered.",
                "Without --url, starts a server (ingest, embedder, index) with the bootstrap encoder."})
final class BenchE2eCommand implements Callable<Integer> {

    /** An upload not searchable after this long counts as lost. */
    static final Duration GIVE_UP = Duration.ofSeconds(60);
    /** The stages, in pipeline order; the server's clock stamps all but the first and the last. */
    static final List<String> STAGES = List.of("accepted", "embedded", "indexed", "searchable", "answered");

    @Option(names = "--url", description = "A running server to measure (default: start one). Its clock must agree with this machine's for the stages.")
    String url;

    @Option(names = "--rate", defaultValue = "10", description = "Uploads per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds of uploads (default ${DEFAULT-VALUE}).")
    int duration;

    /**
     * A server started cold compiles its hot paths during its first minute (the JIT took a fifth of the CPU
     * there): 20 uploads of warm-up left p99 at 500-650 ms at 10/s, where the warm server answers in 200-270.
     */
    @Option(names = "--warmup", defaultValue = "100", description = "Uploads before measuring, at the same rate, while the server's JIT compiles (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--timeline", paramLabel = "DIR", description = "Also write every measured upload's stages ("
            + E2eTimelineFiles.CSV + ") and a plot of them over the run (" + E2eTimelineFiles.PNG + ") into DIR.")
    Path timelineDir;

    @Mixin
    SeedOption seed = new SeedOption(11);

    @Mixin
    JsonOption json;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (!(rate > 0 && rate <= 1000) || duration < 1 || duration > 3600 || warmup < 0) {
            throw new PlanstreamCommand.UsageException("need 0 < --rate <= 1000, 1 <= --duration <= 3600, --warmup >= 0");
        }
        int count = (int) Math.max(1, Math.round(rate * duration));
        List<byte[]> plans = prepare(warmup + count);
        LocalServer server = url == null ? LocalServer.start(List.of("--roles", "ingest,embedder,index"), Duration.ofMinutes(3)) : null;
        try {
            String target = server == null ? url : server.url();
            HttpUploader uploader = new HttpUploader(target);
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
            run(uploader, client, target, plans.subList(0, warmup), "warm-up", new long[warmup]);
            long[] sent = new long[count];
            Timeline[] timelines = run(uploader, client, target, plans.subList(warmup, plans.size()), "measure", sent);
            Map<String, Object> row = report(timelines, count, target);
            if (timelineDir != null) {
                E2eTimelineFiles.write(timelineDir, sent, timelines, String.format(java.util.Locale.ROOT,
                        "upload to searchable, %s uploads/s: p50 %s ms, p99 %s ms", rate, row.get("p50_ms"), row.get("p99_ms")));
            }
            print(row);
            return ((Number) row.get("lost")).intValue() > 0 ? PlanstreamCommand.EXIT_FAILED : PlanstreamCommand.EXIT_OK;
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /**
     * One upload's way, in milliseconds since it was sent, per {@link #STAGES} entry; a stage the answer
     * did not stamp is NaN. Null for an upload that never became searchable.
     */
    record Timeline(double[] ms) {
    }

    /**
     * Uploads at the rate; returns per upload its timeline, null where it never became searchable.
     *
     * @param sent filled with each upload's send time (epoch ms)
     */
    private Timeline[] run(HttpUploader uploader, HttpClient client, String target, List<byte[]> plans, String task,
                           long[] sent) throws Exception {
        String runId = "e2e-" + Long.toString(System.currentTimeMillis(), 36);
        int n = plans.size();
        Timeline[] out = new Timeline[n];
        if (n == 0) {
            return out;
        }
        CountDownLatch settled = new CountDownLatch(n);
        AtomicInteger next = new AtomicInteger();
        ScheduledExecutorService uploads = Executors.newScheduledThreadPool(2);
        try (ProgressBar bar = Progress.bar(task, n, "searchable")) {
            long period = Math.round(1e9 / rate);
            uploads.scheduleAtFixedRate(() -> {
                int i = next.getAndIncrement();
                if (i >= n) {
                    return;
                }
                long sentNanos = System.nanoTime();
                long sentWall = System.currentTimeMillis();
                sent[i] = sentWall;
                try {
                    // A fresh id per upload and run: a plan uploaded by an earlier run is already searchable.
                    HttpUploader.Result r = uploader.upload(plans.get(i), "image/png",
                            Map.of("source", "bench-e2e", "id", runId + "-" + task + "-" + i));
                    if (!r.accepted()) {
                        throw new IllegalStateException("upload refused with " + r.status() + " " + r.error() + ": " + r.message());
                    }
                    double acceptedMs = (System.nanoTime() - sentNanos) / 1e6;
                    URI wait = URI.create(target + "/images/" + r.id() + "?waitFor=searchable&timeout=" + GIVE_UP.toSeconds() + "s");
                    client.sendAsync(HttpRequest.newBuilder(wait).timeout(GIVE_UP.plusSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
                            .whenComplete((response, error) -> {
                                double answeredMs = (System.nanoTime() - sentNanos) / 1e6;
                                if (error != null) {
                                    System.err.println("bench e2e: waiting for " + r.id() + " failed: " + error);
                                } else {
                                    out[i] = timeline(response, sentWall, acceptedMs, answeredMs);
                                }
                                settled.countDown();
                                bar.step();
                            });
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    System.err.println("bench e2e: " + e.getMessage());
                    settled.countDown();
                    bar.step();
                }
            }, 0, period, TimeUnit.NANOSECONDS);
            settled.await();
        } finally {
            uploads.shutdownNow();
        }
        return out;
    }

    /** The timeline of a {@code waitFor=searchable} answer; null where the image did not become searchable. */
    static Timeline timeline(HttpResponse<String> response, long sentWall, double acceptedMs, double answeredMs) {
        if (response.statusCode() != 200) {
            System.err.println("bench e2e: waiting answered " + response.statusCode() + ": " + response.body());
            return null;
        }
        try {
            return timeline(JSON.readTree(response.body()), sentWall, acceptedMs, answeredMs);
        } catch (IOException e) {
            System.err.println("bench e2e: unreadable answer: " + e.getMessage());
            return null;
        }
    }

    static Timeline timeline(JsonNode status, long sentWall, double acceptedMs, double answeredMs) {
        if (status.path("waited").path("timedOut").asBoolean(true) || !"indexed".equals(status.path("status").asText())) {
            return null;
        }
        double[] ms = new double[STAGES.size()];
        java.util.Arrays.fill(ms, Double.NaN);
        ms[0] = acceptedMs;
        ms[STAGES.size() - 1] = answeredMs;
        for (JsonNode v : status.path("versions")) {
            JsonNode t = v.path("timeline");
            if (v.path("active").asBoolean() && t.isObject()) {
                ms[1] = since(t.path("embedded"), sentWall);
                ms[2] = since(t.path("indexed"), sentWall);
                ms[3] = since(t.path("searchable"), sentWall);
            }
        }
        return new Timeline(ms);
    }

    private static double since(JsonNode instant, long sentWall) {
        return instant.isTextual() ? Instant.parse(instant.asText()).toEpochMilli() - sentWall : Double.NaN;
    }

    private static List<byte[]> prepare(int n, long seed) {
        FloorPlanGenerator generator = new FloorPlanGenerator();
        List<byte[]> out = new ArrayList<>(n);
        try (ProgressBar bar = Progress.bar("prepare", n, "plans")) {
            for (int i = 0; i < n; i++) {
                out.add(generator.generate(seed * 1_000_003L + i).png());
                bar.step();
            }
        }
        return out;
    }

    private List<byte[]> prepare(int n) {
        return prepare(n, seed.value());
    }

    /** Per stage p50/p99/max over the uploads that became searchable; the answered stage is the headline. */
    Map<String, Object> report(Timeline[] timelines, int count, String target) {
        List<Timeline> found = Arrays.stream(timelines).filter(java.util.Objects::nonNull).toList();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bench", "e2e");
        row.put("rate_per_s", rate);
        row.put("duration_s", duration);
        row.put("uploads", count);
        row.put("searchable", found.size());
        row.put("lost", count - found.size());
        Map<String, Map<String, Double>> stages = new LinkedHashMap<>();
        for (int s = 0; s < STAGES.size(); s++) {
            int stage = s;
            long[] micros = found.stream().mapToDouble(t -> t.ms()[stage]).filter(v -> !Double.isNaN(v))
                    .mapToLong(v -> Math.round(v * 1000)).sorted().toArray();
            Map<String, Double> q = new LinkedHashMap<>();
            q.put("p50_ms", micros.length == 0 ? null : BenchStats.round(BenchStats.percentile(micros, 0.50) / 1000));
            q.put("p99_ms", micros.length == 0 ? null : BenchStats.round(BenchStats.percentile(micros, 0.99) / 1000));
            q.put("max_ms", micros.length == 0 ? null : BenchStats.round(micros[micros.length - 1] / 1000.0));
            stages.put(STAGES.get(s), q);
        }
        Map<String, Double> answered = stages.get("answered");
        row.put("p50_ms", answered.get("p50_ms"));
        row.put("p99_ms", answered.get("p99_ms"));
        row.put("max_ms", answered.get("max_ms"));
        row.put("stages", stages);
        row.put("url", target);
        return row;
    }

    @SuppressWarnings("unchecked")
    private void print(Map<String, Object> row) throws IOException {
        if (json.enabled()) {
            System.out.println(JSON.writeValueAsString(row));
            return;
        }
        System.out.printf("%s uploads at %s/s: %s searchable, %s lost%n", row.get("uploads"), rate, row.get("searchable"), row.get("lost"));
        System.out.printf("%-11s %9s %9s %9s   (ms since the upload was sent)%n", "stage", "p50_ms", "p99_ms", "max_ms");
        ((Map<String, Map<String, Double>>) row.get("stages")).forEach((stage, q) ->
                System.out.printf("%-11s %9s %9s %9s%n", stage, q.get("p50_ms"), q.get("p99_ms"), q.get("max_ms")));
    }
}
