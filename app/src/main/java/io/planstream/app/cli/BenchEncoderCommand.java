package io.planstream.app.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.simclr.Devices;
import io.planstream.simclr.bench.EncoderBenchmark;
import io.planstream.simclr.model.EncoderSpec;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Forward throughput, training-step time and arithmetic rate of one encoder on this machine. */
@Command(name = "encoder", mixinStandardHelpOptions = true,
        description = {"Forward images/s (training block and batch-norm-folded serving encoder), seconds per SimCLR",
                "training step (2 x batch views, NT-Xent, LARS), GFLOP/s reached and the device's matmul GFLOP/s."})
final class BenchEncoderCommand implements Callable<Integer> {

    @Option(names = "--encoder", defaultValue = "resnet18", description = "resnet18, resnet34, resnet50 or resnet-mini (default ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--width", defaultValue = "1", description = "Width multiplier 1, 2 or 4 (default ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--stem", description = "small or imagenet (default: small under 96 px).")
    String stem;

    @Option(names = "--size", defaultValue = "32", description = "Input side in pixels (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--channels", defaultValue = "3", description = "Input channels (default ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--batch", defaultValue = "32", description = "Forward batch; a training step uses 2 x batch views (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--train-batch", description = "Batch of the training step if it differs from --batch (e.g. 64 for 128 views).")
    Integer trainBatch;

    @Option(names = "--iterations", defaultValue = "20", description = "Timed forward batches (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--steps", defaultValue = "5", description = "Timed training steps; 0 skips training (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed iterations first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    DeviceOption device;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws Exception {
        EncoderSpec spec;
        try {
            spec = stem == null ? EncoderSpec.of(encoder, channels, size) : EncoderSpec.of(encoder, width, stem, channels, size);
            if (stem == null && width != 1) {
                spec = EncoderSpec.of(encoder, width, spec.stem().name().toLowerCase(java.util.Locale.ROOT), channels, size);
            }
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException(e.getMessage());
        }
        if (batch < 2 || batch > 4096 || iterations < 1 || steps < 0 || warmup < 0) {
            throw new PlanstreamCommand.UsageException("need 2 <= --batch <= 4096, --iterations >= 1, --steps >= 0, --warmup >= 0");
        }
        EncoderBenchmark.Result forward;
        EncoderBenchmark.Result train;
        try (ProgressBar bar = Progress.bar("bench", 1, "it")) {
            EncoderBenchmark.Listener listener = (phase, done, total) -> {
                bar.maxHint(total);
                bar.setExtraMessage(" " + phase);
                bar.stepTo(done);
            };
            var dev = Devices.choose(device.value());
            forward = EncoderBenchmark.run(new EncoderBenchmark.Config(spec, batch, iterations, trainBatch == null ? steps : 0, warmup, dev), listener);
            train = trainBatch == null ? forward
                    : EncoderBenchmark.run(new EncoderBenchmark.Config(spec, trainBatch, 1, steps, warmup, dev), listener);
        }
        report(forward, train);
        return PlanstreamCommand.EXIT_OK;
    }

    private void report(EncoderBenchmark.Result f, EncoderBenchmark.Result t) throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bench", "encoder");
        row.put("device", f.device());
        row.put("encoder", f.encoder());
        row.put("width", f.width());
        row.put("stem", f.stem());
        row.put("size", f.size());
        row.put("batch", f.batch());
        row.put("train_batch", t.batch());
        row.put("parameters", f.parameters());
        row.put("gflop_per_image", round(f.gflopsPerImage(), 3));
        row.put("forward_images_per_s", round(f.forwardImagesPerS(), 1));
        row.put("folded_forward_images_per_s", round(f.foldedForwardImagesPerS(), 1));
        row.put("s_per_step", round(t.sPerStep(), 3));
        row.put("forward_gflop_per_s", round(Math.max(f.forwardGflopsPerS(), f.gflopsPerImage() * f.foldedForwardImagesPerS()), 1));
        row.put("train_gflop_per_s", round(t.trainGflopsPerS(), 1));
        row.put("matmul_gflop_per_s", round(f.matmulGflopsPerS(), 1));
        if (json.enabled()) {
            System.out.println(new ObjectMapper().writeValueAsString(row));
            return;
        }
        System.out.printf("%s x%d (%s stem) at %dx%d on %s, %,d parameters, %.3f GFLOP per image%n", f.encoder(),
                f.width(), f.stem(), f.size(), f.size(), f.device(), f.parameters(), f.gflopsPerImage());
        System.out.printf("  forward, batch %d:            %8.1f images/s (training block), %8.1f images/s (folded, served)%n",
                f.batch(), f.forwardImagesPerS(), f.foldedForwardImagesPerS());
        System.out.printf("  training step, %d views:      %8.3f s/step%n", 2 * t.batch(), t.sPerStep());
        System.out.printf("  arithmetic rate:             %8.1f GFLOP/s forward, %.1f GFLOP/s training; matmul ceiling %.1f GFLOP/s%n",
                row.get("forward_gflop_per_s"), t.trainGflopsPerS(), f.matmulGflopsPerS());
    }

    private static double round(double v, int digits) {
        double p = Math.pow(10, digits);
        return Double.isNaN(v) ? v : Math.round(v * p) / p;
    }
}
