package io.planstream.app.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.ObjectMapper;

import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Uploads distinct generated images through {@code POST /images} at a fixed concurrency and reports
 * accepted uploads per second and the acknowledgement latency (request sent to 202 received).
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Accepted uploads per second and p50/p99 acknowledgement latency of POST /images.",
                "Without --url it starts its own server (in-process broker, temporary data) and stops it after."})
final class BenchIngestCommand implements Callable<Integer> {

    @Option(names = "--url", description = "A running server to measure (default: start one).")
    String url;

    @Option(names = "--size", defaultValue = "256", description = "Side of the square test images in pixels (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--image-format", defaultValue = "png", description = "png or jpeg (default ${DEFAULT-VALUE}).")
    String imageFormat;

    @Option(names = "--concurrency", defaultValue = "8", description = "Uploads in flight (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--count", defaultValue = "2000", description = "Measured uploads (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--warmup", defaultValue = "200", description = "Uploads before measuring (default ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    SeedOption seed = new SeedOption(7);

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws Exception {
        if (size < 8 || size > 4096) {
            throw new PlanstreamCommand.UsageException("--size must be 8..4096, got " + size);
        }
        if (!imageFormat.equals("png") && !imageFormat.equals("jpeg")) {
            throw new PlanstreamCommand.UsageException("--image-format must be png or jpeg, got '" + imageFormat + "'");
        }
        if (concurrency < 1 || concurrency > 256 || count < 1 || warmup < 0) {
            throw new PlanstreamCommand.UsageException("need 1 <= --concurrency <= 256, --count >= 1, --warmup >= 0");
        }
        List<byte[]> images = prepare(warmup + count);
        LocalServer server = url == null ? LocalServer.start(List.of(), Duration.ofMinutes(3)) : null;
        try {
            String target = server == null ? url : server.url();
            HttpUploader uploader = new HttpUploader(target);
            run(uploader, images.subList(0, warmup), "warm-up");
            long start = System.nanoTime();
            long[] latencies = run(uploader, images.subList(warmup, images.size()), "measure");
            double seconds = (System.nanoTime() - start) / 1e9;
            report(latencies, seconds, images.stream().mapToInt(b -> b.length).average().orElse(0), target);
            return PlanstreamCommand.EXIT_OK;
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private long[] run(HttpUploader uploader, List<byte[]> images, String task) throws Exception {
        if (images.isEmpty()) {
            return new long[0];
        }
        long[] latencies = new long[images.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        String contentType = "image/" + imageFormat;
        try (ProgressBar bar = Progress.bar(task, images.size(), "uploads")) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < images.size(); i = next.getAndIncrement()) {
                        HttpUploader.Result r = uploader.upload(images.get(i), contentType, Map.of("source", "bench"));
                        if (!r.accepted()) {
                            refused.incrementAndGet();
                            throw new IllegalStateException("upload refused with " + r.status() + " " + r.error() + ": " + r.message());
                        }
                        latencies[i] = r.nanos();
                        bar.step();
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return latencies;
    }

    private List<byte[]> prepare(int n) throws IOException {
        List<byte[]> out = new ArrayList<>(n);
        SplittableRandom random = new SplittableRandom(seed.value());
        try (ProgressBar bar = Progress.bar("prepare", n, "images")) {
            for (int i = 0; i < n; i++) {
                out.add(encode(drawPlanLike(random)));
                bar.step();
            }
        }
        return out;
    }

    /** Flat-coloured rectangles with dark outlines: compresses like a drawing, distinct per image. */
    private BufferedImage drawPlanLike(SplittableRandom random) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size, size);
        int rooms = 3 + random.nextInt(6);
        for (int r = 0; r < rooms; r++) {
            int x = random.nextInt(size / 2);
            int y = random.nextInt(size / 2);
            int w = 1 + random.nextInt(size / 2);
            int h = 1 + random.nextInt(size / 2);
            g.setColor(new Color(random.nextInt(0xFFFFFF)));
            g.fillRect(x, y, w, h);
            g.setColor(Color.DARK_GRAY);
            g.drawRect(x, y, w, h);
        }
        g.dispose();
        return img;
    }

    private byte[] encode(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, imageFormat, out)) {
            throw new IllegalStateException("no ImageIO writer for " + imageFormat);
        }
        return out.toByteArray();
    }

    private void report(long[] latencies, double seconds, double meanBytes, String target) throws IOException {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bench", "ingest");
        row.put("size", size);
        row.put("image_format", imageFormat);
        row.put("bytes_per_image", Math.round(meanBytes));
        row.put("concurrency", concurrency);
        row.put("count", latencies.length);
        row.put("images_per_s", BenchStats.round(latencies.length / seconds));
        row.put("p50_ms", BenchStats.round(BenchStats.percentile(sorted, 0.50) / 1e6));
        row.put("p99_ms", BenchStats.round(BenchStats.percentile(sorted, 0.99) / 1e6));
        row.put("max_ms", BenchStats.round(sorted[sorted.length - 1] / 1e6));
        row.put("url", target);
        if (json.enabled()) {
            System.out.println(new ObjectMapper().writeValueAsString(row));
            return;
        }
        System.out.printf("%-10s %-6s %-8s %-11s %-8s %-13s %-9s %-9s%n", "size", "format", "bytes", "concurrency", "count",
                "images_per_s", "p50_ms", "p99_ms");
        System.out.printf("%-10s %-6s %-8s %-11s %-8s %-13s %-9s %-9s%n", size + "x" + size, imageFormat, row.get("bytes_per_image"),
                concurrency, latencies.length, row.get("images_per_s"), row.get("p50_ms"), row.get("p99_ms"));
    }
}
