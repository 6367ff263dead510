package io.planstream.app.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.Device;

import io.planstream.embedder.bench.EmbedBenchmark;
import io.planstream.embedder.model.ForwardWorkers;
import io.planstream.embedder.streams.EmbedderSettings;
import io.planstream.simclr.Devices;
import io.planstream.simclr.model.EncoderSpec;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** End-to-end embeddings/s through the real topics next to the raw forward rate of the same encoder. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Drives N images through the real topics (in-process broker, exactly-once Kafka Streams,",
                "decode, preprocess, batched forward) and reports embeddings/s next to the raw forward rate,",
                "after a warm-up, in rounds that alternate the raw forward and the pipeline over the same images."})
final class BenchEmbedCommand implements Callable<Integer> {

    @Option(names = "--encoder", defaultValue = "resnet18", description = "Encoder (default ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--size", defaultValue = "32", description = "Encoder input side (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--batch", defaultValue = "" + EmbedderSettings.DEFAULT_BATCH_SIZE, description = "Batch B (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--images", defaultValue = "2000", description = "Images N (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--warmup", description = {"Images embedded before the measured ones, outside the windows",
            "(default: stretches of about 500 until the JIT has settled, at most 20000 images or 2 minutes)."})
    Integer warmup;

    @Option(names = "--rounds", defaultValue = "4", description = {"Alternations of a raw-forward stretch and a pipeline stretch",
            "over the same number of images (default ${DEFAULT-VALUE})."})
    int rounds;

    @Option(names = "--picture-size", description = "Side of the uploaded pictures (default: the encoder input side).")
    Integer pictureSize;

    @Option(names = "--symmetries", description = "Test-time augmentation: mean over the 8 rotations and mirrors.")
    boolean symmetries;

    @Mixin
    DeviceOption device;

    @Option(names = "--forward-workers", description = {"Forward workers, each with its own encoder, in the stream and in the raw",
            "forward alike (default: one per core on a CPU, one on a GPU; planstream.embedder.forward-workers)."})
    Integer forwardWorkers;

    @Option(names = "--forward-threads", description = {"PyTorch intra-op threads of each forward worker (default: 1 on a CPU with",
            "the workers unset, else the cores shared among them; planstream.embedder.forward-threads)."})
    Integer forwardThreads;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws Exception {
        EncoderSpec spec;
        try {
            spec = EncoderSpec.of(encoder, 3, size);
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException(e.getMessage());
        }
        if (batch < 1 || batch > EmbedderSettings.MAX_BATCH || images < 2 * batch || images > 1_000_000) {
            throw new PlanstreamCommand.UsageException("need 1 <= --batch <= " + EmbedderSettings.MAX_BATCH + " and 2 x batch <= --images <= 1000000");
        }
        if (warmup != null && (warmup < 0 || warmup > 1_000_000)) {
            throw new PlanstreamCommand.UsageException("need 0 <= --warmup <= 1000000, got " + warmup);
        }
        if (rounds < 1 || rounds > images / batch) {
            throw new PlanstreamCommand.UsageException("need 1 <= --rounds <= images / batch = " + images / batch + ", got " + rounds);
        }
        int warm = warmup == null ? EmbedBenchmark.AUTO_WARMUP : warmup;
        Device chosen = Devices.choose(device.value());
        ForwardWorkers workers;
        try {
            workers = ForwardWorkers.configured(optional(forwardWorkers), optional(forwardThreads), chosen,
                    Runtime.getRuntime().availableProcessors());
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException(e.getMessage());
        }
        EmbedBenchmark.Result r;
        try (ProgressBar bar = Progress.bar("bench embed", images, "it")) {
            r = EmbedBenchmark.run(new EmbedBenchmark.Config(spec, batch, images, warm, rounds, pictureSize == null ? size : pictureSize, symmetries,
                    chosen, workers), (phase, done, total) -> {
                        bar.maxHint(total);
                        bar.setExtraMessage(" " + phase);
                        bar.stepTo(done);
                    });
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bench", "embed");
        row.put("device", r.device());
        row.put("encoder", r.encoder());
        row.put("size", r.size());
        row.put("batch", r.batch());
        row.put("images", r.images());
        row.put("warmup_images", r.warmupImages());
        row.put("rounds", rounds);
        row.put("symmetries", r.symmetries());
        row.put("forward_workers", r.workers().count());
        row.put("forward_threads", r.workers().intraOpThreads());
        row.put("pipeline_images_per_s", Math.round(r.pipelineImagesPerS() * 10) / 10.0);
        row.put("forward_images_per_s", Math.round(r.forwardImagesPerS() * 10) / 10.0);
        row.put("pipeline_to_forward", Math.round(r.ratio() * 1000) / 1000.0);
        row.put("jit_ms_in_pipeline", r.jitMsInPipeline());
        if (json.enabled()) {
            System.out.println(new ObjectMapper().writeValueAsString(row));
        } else {
            System.out.printf("%s at %dx%d, batch %d, %d images, symmetries %s, on %s, %s%n", r.encoder(), r.size(), r.size(), r.batch(),
                    r.images(), r.symmetries() ? "on" : "off", r.device(), r.workers());
            System.out.printf("  pipeline: %8.1f embeddings/s   raw forward: %8.1f images/s   ratio %.3f%n",
                    r.pipelineImagesPerS(), r.forwardImagesPerS(), r.ratio());
            System.out.printf("  after %d warm-up images, in %d rounds; the JIT compiled for %d ms during the pipeline's stretches%n",
                    r.warmupImages(), rounds, r.jitMsInPipeline());
        }
        return PlanstreamCommand.EXIT_OK;
    }

    private static OptionalInt optional(Integer value) {
        return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }
}
