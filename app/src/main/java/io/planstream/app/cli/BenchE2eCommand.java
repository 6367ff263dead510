package io.planstream.app.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.ingest.generate.FloorPlanGenerator;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Upload-to-searchable latency: uploads synthetic plans through the HTTP API at a steady rate and times,
 * for each, the moment {@code GET /images/{id}/similar} first answers for it (the image is then in the
 * active version's index and appears among its neighbours' results).
 */
@Command(name = "e2e", mixinStandardHelpOptions = true,
        description = {"Time from upload to searchable: steady uploads through the API, each polled until /images/{id}/similar answers.",
                "Without --url, starts a server (ingest, embedder, index) with the bootstrap encoder."})
final class BenchE2eCommand implements Callable<Integer> {

    /**
     * How often each pending upload is polled; the latency is measured to within this. Polling shares the
     * server's cores with the pipeline it measures, so it is kept to about 20 requests per second for
     * each upload in flight.
     */
    static final Duration POLL = Duration.ofMillis(50);
    /** An upload not searchable after this long counts as lost. */
    static final Duration GIVE_UP = Duration.ofSeconds(60);

    @Option(names = "--url", description = "A running server to measure (default: start one).")
    String url;

    @Option(names = "--rate", defaultValue = "10", description = "Uploads per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds of uploads (default ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", defaultValue = "20", description = "Uploads before measuring, at the same rate (default ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    SeedOption seed = new SeedOption(11);

    @Mixin
    JsonOption json;

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
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            run(uploader, client, target, plans.subList(0, warmup), "warm-up");
            long[] latencies = run(uploader, client, target, plans.subList(warmup, plans.size()), "measure");
            report(latencies, count, target);
            return Arrays.stream(latencies).anyMatch(l -> l < 0) ? PlanstreamCommand.EXIT_FAILED : PlanstreamCommand.EXIT_OK;
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** Uploads at the rate; returns per upload the nanoseconds to searchable, -1 where it never became so. */
    private long[] run(HttpUploader uploader, HttpClient client, String target, List<byte[]> plans, String task) throws Exception {
        String runId = "e2e-" + Long.toString(System.currentTimeMillis(), 36);
        int n = plans.size();
        long[] latencies = new long[n];
        if (n == 0) {
            return latencies;
        }
        Arrays.fill(latencies, -1);
        record Pending(int index, String id, long sentNanos) {
        }
        ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
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
                long sent = System.nanoTime();
                try {
                    // A fresh id per upload and run: a plan uploaded by an earlier run is already searchable.
                    HttpUploader.Result r = uploader.upload(plans.get(i), "image/png",
                            Map.of("source", "bench-e2e", "id", runId + "-" + task + "-" + i));
                    if (!r.accepted()) {
                        throw new IllegalStateException("upload refused with " + r.status() + " " + r.error() + ": " + r.message());
                    }
                    pending.add(new Pending(i, r.id(), sent));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    System.err.println("bench e2e: " + e.getMessage());
                    settled.countDown();
                }
            }, 0, period, TimeUnit.NANOSECONDS);
            // One poller: each round asks once for every upload not yet searchable.
            while (settled.getCount() > 0) {
                long round = System.nanoTime();
                for (var it = pending.iterator(); it.hasNext(); ) {
                    Pending p = it.next();
                    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(target + "/images/" + p.id() + "/similar?k=1")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    long now = System.nanoTime();
                    if (r.statusCode() == 200) {
                        latencies[p.index()] = now - p.sentNanos();
                    } else if (now - p.sentNanos() < GIVE_UP.toNanos()) {
                        continue;
                    }
                    it.remove();
                    settled.countDown();
                    bar.step();
                }
                long sleep = POLL.toNanos() - (System.nanoTime() - round);
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
        } finally {
            uploads.shutdownNow();
        }
        return latencies;
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

    private void report(long[] latencies, int count, String target) throws Exception {
        long[] found = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bench", "e2e");
        row.put("rate_per_s", rate);
        row.put("duration_s", duration);
        row.put("uploads", count);
        row.put("searchable", found.length);
        row.put("lost", count - found.length);
        row.put("p50_ms", found.length == 0 ? null : BenchStats.round(BenchStats.percentile(found, 0.50) / 1e6));
        row.put("p99_ms", found.length == 0 ? null : BenchStats.round(BenchStats.percentile(found, 0.99) / 1e6));
        row.put("max_ms", found.length == 0 ? null : BenchStats.round(found[found.length - 1] / 1e6));
        row.put("poll_ms", POLL.toMillis());
        row.put("url", target);
        if (json.enabled()) {
            System.out.println(new ObjectMapper().writeValueAsString(row));
            return;
        }
        System.out.printf("%-10s %-8s %-11s %-6s %-9s %-9s %-9s%n", "rate_per_s", "uploads", "searchable", "lost", "p50_ms", "p99_ms", "max_ms");
        System.out.printf("%-10s %-8s %-11s %-6s %-9s %-9s %-9s%n", rate, count, found.length, count - found.length,
                row.get("p50_ms"), row.get("p99_ms"), row.get("max_ms"));
    }
}
