package io.planstream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ImageRecord;
import io.planstream.avro.ModelVersion;
import io.planstream.models.ArtifactResolver;
import io.planstream.models.MetricsPlot;
import io.planstream.models.ModelLog;
import io.planstream.models.ModelPublisher;
import io.planstream.models.ModelRecords;
import io.planstream.models.ModelTarget;
import io.planstream.models.PublisherFencedException;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Partitions;
import io.planstream.platform.Topic;
import io.planstream.schemas.ImageRecords;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.data.ImageDataset;
import io.planstream.simclr.data.PreprocessException;
import io.planstream.simclr.data.Preprocessor;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.train.CheckpointInterval;
import io.planstream.simclr.train.PretrainConfig;
import io.planstream.simclr.train.PretrainResult;
import io.planstream.simclr.train.Pretrainer;
import io.planstream.simclr.train.ProgressListener;
import io.planstream.simclr.train.StepRecord;

/**
 * The trainer role: keeps a bounded sample of the images topic, and in rounds continues SimCLR
 * pretraining of the target model on it with the same {@link Pretrainer} as {@code ./planstream
 * pretrain}, judges the candidate against the target on held-out images ({@link QualityGate}) and
 * publishes it as the next version through the artifacts topic ({@link ModelPublisher}), from where
 * every embedder and index instance rolls over to it.
 *
 * <p>A round starts when {@code minNewImages} images arrived since the last one, when the schedule's
 * interval has passed with new images, or when an operator asks ({@link #runRound}). One round runs at
 * a time.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final Duration MODELS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);
    /** Rounds kept in {@link #history()}. */
    private static final int HISTORY = 100;

    /** What the trainer is doing now, for status pages and metrics. */
    public record Progress(int round, String phase, long step, long totalSteps, double lastLoss) {
    }

    /** The buffer and the rounds, at a glance. */
    public record Status(int bufferImages, int bufferCapacity, long bufferBytes, String sampling, long imagesSeen,
                         long newSinceRound, long refused, Progress progress, int rounds, RoundResult lastRound) {
    }

    private final KafkaPlatform platform;
    private final TrainerSettings settings;
    private final QualityGate gate;
    private final ArtifactResolver artifacts;
    private final ReentrantLock roundLock = new ReentrantLock();
    private final List<RoundResult> history = new ArrayList<>();
    private final AtomicLong refused = new AtomicLong();
    private final KafkaConsumer<byte[], byte[]> imagesConsumer;
    private final Thread reader;
    private final Thread scheduler;
    private volatile TrainingBuffer buffer;
    private volatile boolean rewind;
    private volatile boolean running = true;
    private volatile Progress progress = new Progress(0, "idle", 0, 0, Double.NaN);
    /** Images that arrived after start-up (what was in the topic then is backlog, not news). */
    private final AtomicLong arrived = new AtomicLong();
    private volatile long arrivedAtLastRound;
    private volatile Map<Integer, Long> backlogEnd = Map.of();
    private volatile long lastRoundNanos = System.nanoTime();
    private ModelPublisher publisher;
    private int rounds;

    public TrainerService(KafkaPlatform platform, TrainerSettings settings) {
        this.platform = platform;
        this.settings = settings;
        this.gate = new QualityGate(settings.margin());
        this.artifacts = new ArtifactResolver(platform, settings.workDir().resolve("artifacts"));
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        this.imagesConsumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::readImages, "planstream-trainer-images");
        this.scheduler = new Thread(this::schedule, "planstream-trainer-rounds");
        reader.setDaemon(true);
        scheduler.setDaemon(true);
    }

    /** Reads the models topic for the buffer's shape, takes the publisher's transactional id (fencing any other trainer) and starts. */
    public TrainerService start() throws IOException {
        Files.createDirectories(settings.workDir());
        buffer = newBuffer(currentInput(ModelLog.readAll(platform, MODELS_TIMEOUT)));
        publisher = new ModelPublisher(platform, settings.transactionalId());
        reader.start();
        scheduler.start();
        LOG.info("trainer started: buffer of {} images of {}x{}x{} ({}), rounds after {} new images{}", buffer.capacity(),
                buffer.channels(), buffer.imageSize(), buffer.imageSize(), settings.sampling().name().toLowerCase(Locale.ROOT),
                settings.minNewImages(), settings.interval().isZero() ? "" : " or every " + settings.interval());
        return this;
    }

    /** The pictures a model takes: what the buffer holds them as. */
    private record Input(int channels, int size) {
    }

    private TrainingBuffer newBuffer(Input input) {
        return new TrainingBuffer(input.channels(), input.size(), settings.bufferImages(), settings.bufferBytes(),
                settings.sampling(), settings.seed());
    }

    /** The input of the target version (a trained model or an imported encoder), or of the first encoder where none is published. */
    private Input currentInput(TreeMap<Integer, ModelVersion> models) throws ArtifactException {
        OptionalInt target = ModelTarget.select(models);
        if (target.isEmpty()) {
            return new Input(settings.firstEncoder().inputChannels(), settings.firstEncoder().inputSize());
        }
        ModelManifest manifest = ModelArtifact.readManifest(artifacts.resolve(models.get(target.getAsInt())));
        return new Input(manifest.inputChannels(), manifest.inputSize());
    }

    /**
     * Why a round cannot continue pretraining {@code version}, or empty where it can: continued SimCLR
     * pretraining needs the encoder and its projection head as Planstream parameters, which an imported
     * TorchScript encoder does not have.
     */
    static Optional<String> whyNotContinued(int version, ModelManifest manifest) {
        if (!manifest.isTorchScript()) {
            return Optional.empty();
        }
        return Optional.of("version " + version + " is an imported TorchScript encoder (" + manifest.parametersFile()
                + "): continued pretraining needs a Planstream artifact with a projection head; pin a trained version"
                + " (planstream model activate N) to train again");
    }

    // ---------------------------------------------------------------- the buffer

    private void readImages() {
        Topic<String, ImageRecord> topic = platform.topics().images();
        try {
            List<TopicPartition> parts = Partitions.await(imagesConsumer, topic.name(), () -> running);
            imagesConsumer.assign(parts);
            imagesConsumer.seekToBeginning(parts);
            // A restart reads the whole topic again into the buffer; only what follows counts towards a round.
            markBacklog(parts);
            while (running) {
                if (rewind) {
                    rewind = false;
                    imagesConsumer.seekToBeginning(parts);
                    markBacklog(parts);
                }
                TrainingBuffer b = buffer;
                Preprocessor pre = new Preprocessor(b.imageSize(), b.channels());
                for (ConsumerRecord<byte[], byte[]> r : imagesConsumer.poll(POLL)) {
                    take(topic, r, b, pre);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("trainer image reader woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("trainer image reader stopped: {}", e.toString(), e);
        } finally {
            imagesConsumer.close(Duration.ofSeconds(5));
        }
    }

    private void markBacklog(List<TopicPartition> parts) {
        Map<Integer, Long> end = new HashMap<>();
        imagesConsumer.endOffsets(parts).forEach((tp, offset) -> end.put(tp.partition(), offset));
        backlogEnd = end;
    }

    private void take(Topic<String, ImageRecord> topic, ConsumerRecord<byte[], byte[]> r, TrainingBuffer b, Preprocessor pre) {
        String id;
        try {
            id = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
            if (r.value() == null) {
                b.remove(id);
                return;
            }
            ImageRecord image = topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            String label = settings.labelKey().isEmpty() ? null : image.getMetadata().get(settings.labelKey());
            b.offer(id, pre.apply(ImageRecords.picture(image)), label);
            if (r.offset() >= backlogEnd.getOrDefault(r.partition(), 0L)) {
                arrived.incrementAndGet();
            }
        } catch (SerializationException | PreprocessException e) {
            // The embedder sends such records to the dead letters with the reason; here they are only counted.
            refused.incrementAndGet();
            LOG.debug("trainer skips record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- rounds

    private void schedule() {
        while (running) {
            try {
                TimeUnit.MILLISECONDS.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            long fresh = arrived.get() - arrivedAtLastRound;
            boolean byCount = settings.minNewImages() > 0 && fresh >= settings.minNewImages();
            boolean bySchedule = !settings.interval().isZero() && fresh > 0
                    && System.nanoTime() - lastRoundNanos >= settings.interval().toNanos();
            if ((byCount || bySchedule) && roundLock.tryLock()) {
                try {
                    runRoundLocked(byCount ? "images" : "schedule");
                } finally {
                    roundLock.unlock();
                }
            }
        }
    }

    /** Runs one round now, waiting for a round in progress to end first. */
    public RoundResult runRound(String trigger) {
        roundLock.lock();
        try {
            return runRoundLocked(trigger);
        } finally {
            roundLock.unlock();
        }
    }

    private RoundResult runRoundLocked(String trigger) {
        int round;
        synchronized (history) {
            round = ++rounds;
        }
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        arrivedAtLastRound = arrived.get();
        lastRoundNanos = t0;
        RoundResult result;
        try {
            result = new Round(round, trigger, started, t0).run();
        } catch (PublisherFencedException e) {
            result = failed(round, trigger, started, t0, "another trainer took over publishing: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.error("training round {} failed: {}", round, e.toString(), e);
            result = failed(round, trigger, started, t0, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            progress = new Progress(round, "idle", 0, 0, Double.NaN);
        }
        synchronized (history) {
            history.add(result);
            if (history.size() > HISTORY) {
                history.remove(0);
            }
        }
        LOG.info("training round {} ({}): {} - {}", round, trigger, result.outcome(), result.reason());
        return result;
    }

    private static RoundResult failed(int round, String trigger, Instant started, long t0, String reason) {
        return new RoundResult(round, trigger, RoundResult.Outcome.FAILED, reason, started,
                Duration.ofNanos(System.nanoTime() - t0), null, null, 0, 0, 0, Map.of(), Map.of(), null);
    }

    /** One round's steps, with what it learnt on the way for the result. */
    private final class Round {
        private final int round;
        private final String trigger;
        private final Instant started;
        private final long t0;
        private Integer parent;
        private int trainImages;
        private int heldOutImages;
        private long steps;
        private Map<String, Double> current = Map.of();
        private Map<String, Double> candidate = Map.of();
        private Path lossPlot;

        Round(int round, String trigger, Instant started, long t0) {
            this.round = round;
            this.trigger = trigger;
            this.started = started;
            this.t0 = t0;
        }

        RoundResult run() throws IOException {
            phase("reading models");
            TreeMap<Integer, ModelVersion> models = ModelLog.readAll(platform, MODELS_TIMEOUT);
            OptionalInt target = ModelTarget.select(models);
            Path parentDir = null;
            EncoderSpec spec = settings.firstEncoder();
            ProjectionHeadSpec head = ProjectionHeadSpec.v1();
            if (target.isPresent()) {
                parent = target.getAsInt();
                parentDir = artifacts.resolve(models.get(parent));
                ModelManifest manifest = ModelArtifact.readManifest(parentDir);
                Optional<String> refusal = whyNotContinued(parent, manifest);
                if (refusal.isPresent()) {
                    return end(RoundResult.Outcome.SKIPPED, refusal.get());
                }
                spec = manifest.encoderSpec();
                head = manifest.headSpec();
            }
            TrainingBuffer b = buffer;
            if (b.channels() != spec.inputChannels() || b.imageSize() != spec.inputSize()) {
                buffer = newBuffer(new Input(spec.inputChannels(), spec.inputSize()));
                rewind = true;
                return end(RoundResult.Outcome.SKIPPED, "version " + parent + " takes " + spec.inputChannels() + "x"
                        + spec.inputSize() + " px images: the buffer is refilled at that shape from the images topic");
            }
            TrainingBuffer.Split split = b.snapshot(settings.heldOutFraction(), "images topic sample");
            trainImages = split.train().size();
            heldOutImages = split.heldOut().size();
            if (trainImages < settings.batchSize()) {
                return end(RoundResult.Outcome.SKIPPED, trainImages + " training images in the buffer, fewer than one batch of "
                        + settings.batchSize());
            }
            if (heldOutImages < 2) {
                return end(RoundResult.Outcome.SKIPPED, heldOutImages + " held-out images: too few to judge a candidate");
            }
            Path out = settings.workDir().resolve(String.format(Locale.ROOT, "round-%05d-%d", round, started.toEpochMilli()));
            PretrainConfig config = PretrainConfig.builder()
                    .setData("images topic sample (" + trainImages + " images)")
                    .setEncoder(spec)
                    .optHead(head)
                    .setEpochs(settings.epochs())
                    .setBatchSize(settings.batchSize())
                    .setOutputDir(out)
                    .optPolicy(settings.policy())
                    .optTemperature(settings.temperature())
                    .optSeed(settings.seed() + round)
                    .optDevice(settings.device())
                    .optMaxDuration(settings.maxRoundDuration())
                    .optCheckpointEvery(CheckpointInterval.epochs(Math.max(1, settings.epochs())))
                    .optInitFrom(parentDir)
                    .build();
            phase("training");
            PretrainResult trained = Pretrainer.run(config, split.train(), new ProgressListener() {
                @Override
                public void onStart(RunPlan plan) {
                    progress = new Progress(round, "training", plan.firstStep(), plan.totalSteps(), Double.NaN);
                }

                @Override
                public void onStep(StepRecord step, int liveArrays) {
                    progress = new Progress(round, "training", step.step(), progress.totalSteps(), step.loss());
                }

                @Override
                public boolean stopRequested() {
                    return !running;
                }
            });
            steps = trained.steps() - trained.firstStep();
            lossPlot = trained.lossPlot();
            if (!running) {
                return end(RoundResult.Outcome.SKIPPED, "the trainer is stopping");
            }
            phase("evaluating");
            try {
                candidate = Evaluation.metrics(trained.artifact(), split.heldOut(), settings);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // A candidate whose outputs are not finite cannot be measured: it is not published.
                return end(RoundResult.Outcome.REJECTED, "the candidate cannot be evaluated: " + e.getMessage());
            }
            if (parentDir != null) {
                current = Evaluation.metrics(parentDir, split.heldOut(), settings);
            }
            QualityGate.Decision decision = gate.decide(parentDir == null ? null : current, candidate);
            if (!decision.publish()) {
                return end(RoundResult.Outcome.REJECTED, decision.reason());
            }
            phase("publishing");
            Map<String, Double> published = new HashMap<>(candidate);
            published.put("train_images", (double) trainImages);
            published.put("round_steps", (double) steps);
            ModelVersion v = publisher.publish(trained.artifact(),
                    ModelRecords.template(trained.artifact(), parent, published, settings.publisher()));
            return end(RoundResult.Outcome.PUBLISHED, "version " + v.getVersion() + " published: " + decision.reason(), v.getVersion());
        }

        private void phase(String phase) {
            progress = new Progress(round, phase, 0, 0, Double.NaN);
        }

        private RoundResult end(RoundResult.Outcome outcome, String reason) {
            return end(outcome, reason, null);
        }

        private RoundResult end(RoundResult.Outcome outcome, String reason, Integer published) {
            return new RoundResult(round, trigger, outcome, reason, started, Duration.ofNanos(System.nanoTime() - t0), parent,
                    published, trainImages, heldOutImages, steps, current, candidate, lossPlot);
        }
    }

    // ---------------------------------------------------------------- status

    public List<RoundResult> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    public Status status() {
        TrainingBuffer b = buffer;
        RoundResult last;
        int n;
        synchronized (history) {
            last = history.isEmpty() ? null : history.get(history.size() - 1);
            n = rounds;
        }
        return new Status(b.size(), b.capacity(), b.bytes(), b.sampling().name().toLowerCase(Locale.ROOT), b.seen(),
                arrived.get() - arrivedAtLastRound, refused.get(), progress, n, last);
    }

    public TrainerSettings settings() {
        return settings;
    }

    /** The PNG of every version's metrics, as the models topic holds them now. */
    public byte[] metricsPlot() {
        return MetricsPlot.png(ModelLog.readAll(platform, MODELS_TIMEOUT));
    }

    /** Held for tests that feed the buffer without the images topic. */
    TrainingBuffer buffer() {
        return buffer;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        imagesConsumer.wakeup();
        scheduler.interrupt();
        reader.join(TimeUnit.SECONDS.toMillis(10));
        // A round in progress sees running == false at its next step and ends.
        roundLock.lock();
        try {
            if (publisher != null) {
                publisher.close();
            }
        } finally {
            roundLock.unlock();
        }
    }
}
