package io.planstream.embedder.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

import javax.imageio.ImageIO;

import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import ai.djl.Device;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.embedder.model.ForwardLane;
import io.planstream.embedder.model.ForwardWorkers;
import io.planstream.embedder.streams.EmbedderSettings;
import io.planstream.embedder.streams.EmbedderStream;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.data.Preprocessor;
import io.planstream.simclr.model.EncoderSpec;

/**
 * End-to-end embedding throughput through the real topics (Avro records in Kafka, the Kafka Streams
 * processor with exactly-once, decoding, preprocessing, batched forward, Avro out), next to the raw
 * forward throughput of the same encoder and batch measured in the same run.
 */
public final class EmbedBenchmark {

    /**
     * What to measure.
     *
     * @param warmup images embedded before the measured ones, or {@link #AUTO_WARMUP}: until the JIT has
     *               settled (see {@link #warmUp}). The stream must have joined its group, loaded its
     *               encoder and had its Kafka, Avro and decoding code compiled: a pipeline that runs all
     *               day is measured in its steady state, as the raw forward is
     * @param rounds how many times the measurement alternates between the raw forward and the pipeline
     * @param workers how the forward passes run, in the pipeline and in the raw forward alike
     */
    public record Config(EncoderSpec encoder, int batch, int images, int warmup, int rounds, int pictureSize, boolean symmetries,
                         Device device, ForwardWorkers workers) {
        public Config {
            Objects.requireNonNull(workers, "workers");
            if (batch < 1 || images < batch || warmup < AUTO_WARMUP || rounds < 1 || rounds > images / batch) {
                throw new IllegalArgumentException("need batch >= 1, images >= batch, warmup >= 0 (or auto) and 1 <= rounds <= images / batch,"
                        + " got batch " + batch + ", images " + images + ", warmup " + warmup + ", rounds " + rounds);
            }
        }
    }

    /** Warm up until the JIT has settled rather than for a fixed number of images. */
    public static final int AUTO_WARMUP = -1;

    /** Most images an automatic warm-up embeds before it gives up waiting for the JIT to settle. */
    static final int MAX_AUTO_WARMUP = 20_000;

    /** Longest an automatic warm-up runs (test-time augmentation embeds 8 views an image, so 20,000 images can take long). */
    static final Duration MAX_AUTO_WARMUP_TIME = Duration.ofMinutes(2);

    /** The JIT has settled when it compiled for less than this share of a warm-up stretch's wall time. */
    static final double SETTLED_JIT_SHARE = 0.03;

    /**
     * The two rates and their ratio.
     *
     * @param warmupImages images embedded before the measurement
     * @param jitMsInPipeline milliseconds the JIT spent compiling during the pipeline's stretches (a
     *                        figure well above zero says the JVM was not yet warm)
     */
    public record Result(String device, String encoder, int size, int batch, int images, boolean symmetries, ForwardWorkers workers,
                         double pipelineImagesPerS, double forwardImagesPerS, int warmupImages, long jitMsInPipeline) {
        public double ratio() {
            return pipelineImagesPerS / forwardImagesPerS;
        }
    }

    /** Progress: the phase and how many of its units are done. */
    @FunctionalInterface
    public interface Listener {
        void progress(String phase, long done, long total);
    }

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private EmbedBenchmark() {
    }

    /**
     * Embeds the warm-up images, then alternates, round after round, a stretch of raw forward passes and
     * a stretch of pipeline, each over the same number of images, so that a slow minute of a shared
     * machine weighs on both rates alike. For each pipeline stretch the stream is paused, the round's
     * images are written, and the stream is timed from its resumption to the round's last embedding
     * committed: every stage of the pipeline (poll, Avro, decoding, preprocessing, forward, the pending
     * store and its changelog, transactions) is in the window, and writing the uploads is not.
     */
    public static Result run(Config c, Listener listener) throws Exception {
        Path state = Files.createTempDirectory("planstream-bench-embed-");
        Supplier<BatchEncoder> encoders = () -> BatchEncoder.random(c.encoder(), 0, 1, c.device());
        try (KafkaPlatform platform = KafkaPlatform.builder().optPartitions(1).start();
             EmbeddingCounter counter = new EmbeddingCounter(platform);
             // The raw forward runs on a lane like the stream's: the same workers, threads and encoders.
             ForwardLane raw = ForwardLane.threaded(encoders, "bench-raw-forward", c.workers())) {
            EmbedderSettings settings = new EmbedderSettings(c.batch(), EmbedderSettings.DEFAULT_MAX_WAIT, c.symmetries());
            EncoderPool pool = new EncoderPool(encoders, c.workers());
            try (EmbedderStream stream = new EmbedderStream(platform, 0, pool,
                    new Preprocessor(c.encoder().inputSize(), c.encoder().inputChannels()), settings, state,
                    Map.of("num.stream.threads", 1, "commit.interval.ms", 100)).start()) {
                int warmed = warmUp(platform, counter, c, listener);
                List<float[]> inputs = randomInputs(c);
                forward(raw, inputs, c.symmetries(), 3 * raw.workers(), done -> { });
                int batches = c.images() / c.batch();
                long pipelineNs = 0;
                long forwardNs = 0;
                long forwardImages = 0;
                int written = 0;
                long jitMs = 0;
                for (int r = 0; r < c.rounds(); r++) {
                    // Whole batches in every round but the last, which takes what is left over.
                    int n = r == c.rounds() - 1 ? c.images() - written
                            : (batches * (r + 1) / c.rounds() - batches * r / c.rounds()) * c.batch();
                    String round = " " + (r + 1) + "/" + c.rounds();
                    stream.pause();
                    produce(platform, c, "bench-", written, n, 7 + r, listener);
                    int iterations = Math.max(1, n / c.batch());
                    long start = System.nanoTime();
                    forward(raw, inputs, c.symmetries(), iterations, done -> listener.progress("raw forward" + round, done, iterations));
                    forwardNs += System.nanoTime() - start;
                    forwardImages += (long) iterations * c.batch();
                    start = System.nanoTime();
                    stream.resume();
                    long jitBefore = JIT.getTotalCompilationTime();
                    counter.await(warmed + (long) written + n, "pipeline" + round, listener);
                    pipelineNs += System.nanoTime() - start;
                    jitMs += JIT.getTotalCompilationTime() - jitBefore;
                    written += n;
                }
                return new Result(c.device().toString(), c.encoder().name(), c.encoder().inputSize(), c.batch(), c.images(),
                        c.symmetries(), c.workers(), c.images() / (pipelineNs / 1e9), forwardImages / (forwardNs / 1e9), warmed, jitMs);
            }
        } finally {
            FileUtils.deleteQuietly(state.toFile());
        }
    }

    /**
     * Runs {@code batches} forward passes of {@code inputs} on the lane, keeping each worker busy and one
     * batch queued behind them, as the stream does.
     */
    private static void forward(ForwardLane lane, List<float[]> inputs, boolean symmetries, int batches, IntConsumer progress) {
        ArrayDeque<CompletableFuture<float[][]>> out = new ArrayDeque<>();
        int done = 0;
        for (int i = 0; i < batches; i++) {
            if (out.size() >= lane.maxInFlight()) {
                out.poll().join();
                progress.accept(++done);
            }
            out.add(lane.submit(e -> e.embed(inputs, symmetries, inputs.size())));
        }
        while (!out.isEmpty()) {
            out.poll().join();
            progress.accept(++done);
        }
    }

    /**
     * Embeds the warm-up images: the configured number, or, for {@link #AUTO_WARMUP}, stretches of about
     * 500 images until the JIT compiled for less than {@link #SETTLED_JIT_SHARE} of a stretch's wall time
     * (Kafka's per-commit code runs ten times a second and needs thousands of calls to be compiled
     * fully; in a 2,000-image run from a cold JVM the JIT compiled about 4,000 methods during the
     * measurement and took a core's tenth), at least two stretches, at most {@link #MAX_AUTO_WARMUP}
     * images or {@link #MAX_AUTO_WARMUP_TIME}.
     *
     * @return the images embedded
     */
    private static int warmUp(KafkaPlatform platform, EmbeddingCounter counter, Config c, Listener listener) {
        if (c.warmup() != AUTO_WARMUP) {
            produce(platform, c, "warmup-", 0, c.warmup(), 11, listener);
            counter.await(c.warmup(), "warm-up", listener);
            return c.warmup();
        }
        int stretch = Math.max(1, 512 / c.batch()) * c.batch();
        int done = 0;
        long until = System.nanoTime() + MAX_AUTO_WARMUP_TIME.toNanos();
        for (int s = 0; done + stretch <= MAX_AUTO_WARMUP && System.nanoTime() < until; s++) {
            long jit = JIT.getTotalCompilationTime();
            long start = System.nanoTime();
            produce(platform, c, "warmup-", done, stretch, 11 + s, listener);
            counter.await(done + (long) stretch, "warm-up " + (s + 1), listener);
            done += stretch;
            double share = (JIT.getTotalCompilationTime() - jit) / ((System.nanoTime() - start) / 1e6);
            if (s >= 1 && share < SETTLED_JIT_SHARE) {
                break;
            }
        }
        return done;
    }

    /** Writes {@code count} distinct pictures with ids {@code prefix + first ...}. */
    private static void produce(KafkaPlatform platform, Config c, String prefix, int first, int count, long seed, Listener listener) {
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        SplittableRandom random = new SplittableRandom(seed);
        var serializer = platform.topics().images().valueSerde().serializer();
        String phase = "write " + prefix + "images";
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String id = prefix + (first + i);
                ImageRecord r = ImageRecord.newBuilder().setId(id).setContentType("image/png").setFormat(ImageFormat.PICTURE)
                        .setOriginal(ByteBuffer.wrap(picture(random, c.pictureSize()))).setWidth(c.pictureSize())
                        .setHeight(c.pictureSize()).setSource("bench").setSha256(id).setUploadTime(Instant.now())
                        .setMetadata(Map.of()).build();
                producer.send(new ProducerRecord<>(platform.topics().images().name(), id.getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(platform.topics().images().name(), r)));
                listener.progress(phase, i + 1, count);
            }
            producer.flush();
        }
    }

    /** One batch of random inputs at the encoder's shape, for the raw forward. */
    private static List<float[]> randomInputs(Config c) {
        int per = c.encoder().inputChannels() * c.encoder().inputSize() * c.encoder().inputSize();
        SplittableRandom random = new SplittableRandom(3);
        List<float[]> batch = new ArrayList<>();
        for (int i = 0; i < c.batch(); i++) {
            float[] img = new float[per];
            for (int j = 0; j < per; j++) {
                img[j] = (float) random.nextDouble();
            }
            batch.add(img);
        }
        return batch;
    }

    /** Reads the embeddings topic as transactions commit, and counts what it has seen. */
    private static final class EmbeddingCounter implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private long seen;

        EmbeddingCounter(KafkaPlatform platform) {
            Map<String, Object> p = new HashMap<>(platform.clientProperties());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            String topic = platform.topics().embeddings().name();
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        /** Polls until {@code total} embeddings have been seen since the start. */
        void await(long total, String phase, Listener listener) {
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            long from = seen;
            while (seen < total) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + seen + " of " + total + " embeddings within 30 minutes (" + phase + ")");
                }
                // A long poll: it returns as soon as a transaction's records are readable, and a short one
                // would spin the main thread against the forward on the same two cores.
                int n = consumer.poll(Duration.ofMillis(200)).count();
                if (n > 0) {
                    seen += n;
                    listener.progress(phase, Math.min(seen, total) - from, total - from);
                }
            }
            if (seen > total) {
                throw new IllegalStateException(seen + " embeddings for " + total + " images: an image was embedded twice");
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** A flat-coloured plan-like drawing, distinct per call. */
    static byte[] picture(SplittableRandom random, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size, size);
        for (int r = 0; r < 6; r++) {
            g.setColor(new Color(random.nextInt(0xFFFFFF)));
            g.fillRect(random.nextInt(size / 2), random.nextInt(size / 2), 1 + random.nextInt(size / 2), 1 + random.nextInt(size / 2));
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
