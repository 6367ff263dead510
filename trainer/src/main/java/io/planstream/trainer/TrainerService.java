package io.planstream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ModelVersion;
import io.planstream.models.ArtifactResolver;
import io.planstream.models.MetricsPlot;
import io.planstream.models.ModelLog;
import io.planstream.models.ModelPublisher;
import io.planstream.models.ModelTarget;
import io.planstream.models.PublisherFencedException;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.train.Pretrainer;

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
 *
 * <p>This class schedules the rounds and keeps their history; the {@link ImageFeed} reads the images topic
 * into the buffer, the {@link RoundRunner} runs a round and the {@link CandidateRelease} gates and
 * publishes its candidate.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    /** Rounds kept in {@link #history()}. */
    private static final int HISTORY = 100;

    /**
     * What the trainer is doing now, for status pages and metrics.
     *
     * @param round the round in progress, or the last one while idle (0 before any)
     * @param trigger why the round runs ({@code images}, {@code schedule}, {@code operator}); null while idle
     * @param phase {@code idle}, {@code reading models}, {@code training}, {@code evaluating} or {@code publishing}
     * @param step steps done while training, counted over the round
     * @param totalSteps steps the round's training takes (epochs x steps per epoch)
     * @param epoch the epoch of the last step, from 1
     * @param epochs the round's epochs
     * @param lastLoss NT-Xent loss of the last step's batch, NaN before the first
     */
    public record Progress(int round, String trigger, String phase, long step, long totalSteps, int epoch, int epochs,
                           double lastLoss) {

        static Progress idle(int round) {
            return new Progress(round, null, "idle", 0, 0, 0, 0, Double.NaN);
        }

        /** A phase before any step. */
        static Progress phase(int round, String trigger, String phase) {
            return new Progress(round, trigger, phase, 0, 0, 0, 0, Double.NaN);
        }
    }

    /**
     * The buffer and the rounds, at a glance.
     *
     * @param newSinceRound images that arrived since the last round started
     * @param minNewImages the new images after which a round starts on its own (0: never by count)
     */
    public record Status(int bufferImages, int bufferCapacity, long bufferBytes, String sampling, long imagesSeen,
                         long newSinceRound, long minNewImages, long refused, Progress progress, int rounds,
                         RoundResult lastRound) {
    }

    private final KafkaPlatform platform;
    private final TrainerSettings settings;
    private final ArtifactResolver artifacts;
    private final ImageFeed feed;
    private final CandidateRelease release;
    private final RoundRunner runner;
    private final ReentrantLock roundLock = new ReentrantLock();
    private final List<RoundResult> history = new ArrayList<>();
    private final Thread scheduler;
    private volatile boolean running = true;
    private volatile long arrivedAtLastRound;
    private volatile long lastRoundNanos = System.nanoTime();
    private int rounds;

    public TrainerService(KafkaPlatform platform, TrainerSettings settings) {
        this.platform = platform;
        this.settings = settings;
        this.artifacts = new ArtifactResolver(platform, settings.workDir().resolve("artifacts"));
        this.feed = new ImageFeed(platform, settings);
        this.release = new CandidateRelease(settings);
        this.runner = new RoundRunner(platform, settings, artifacts, feed, release);
        this.scheduler = new Thread(this::schedule, "planstream-trainer-rounds");
        scheduler.setDaemon(true);
    }

    /** Reads the models topic for the buffer's shape, takes the publisher's transactional id (fencing any other trainer) and starts. */
    public TrainerService start() throws IOException {
        Files.createDirectories(settings.workDir());
        Input input = currentInput(ModelLog.readAll(platform, RoundRunner.MODELS_TIMEOUT));
        feed.shape(input.channels(), input.size());
        release.open(platform);
        feed.start();
        scheduler.start();
        TrainingBuffer buffer = feed.buffer();
        LOG.info("trainer started: buffer of {} images of {}x{}x{} ({}), rounds after {} new images{}", buffer.capacity(),
                buffer.channels(), buffer.imageSize(), buffer.imageSize(), settings.sampling().name().toLowerCase(Locale.ROOT),
                settings.minNewImages(), settings.interval().isZero() ? "" : " or every " + settings.interval());
        return this;
    }

    /** The pictures a model takes: what the buffer holds them as. */
    private record Input(int channels, int size) {
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

    /** See {@link RoundRunner#whyNotContinued}. */
    static Optional<String> whyNotContinued(int version, ModelManifest manifest) {
        return RoundRunner.whyNotContinued(version, manifest);
    }

    // ---------------------------------------------------------------- rounds

    private void schedule() {
        while (running) {
            try {
                TimeUnit.MILLISECONDS.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            long fresh = feed.arrived() - arrivedAtLastRound;
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
        arrivedAtLastRound = feed.arrived();
        lastRoundNanos = t0;
        RoundResult result;
        try {
            result = runner.run(round, trigger, started, t0);
        } catch (PublisherFencedException e) {
            result = failed(round, trigger, started, t0, "another trainer took over publishing: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.error("training round {} failed: {}", round, e.toString(), e);
            result = failed(round, trigger, started, t0, e.getClass().getSimpleName() + ": " + e.getMessage());
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

    // ---------------------------------------------------------------- status

    public List<RoundResult> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    public Status status() {
        TrainingBuffer b = feed.buffer();
        RoundResult last;
        int n;
        synchronized (history) {
            last = history.isEmpty() ? null : history.get(history.size() - 1);
            n = rounds;
        }
        return new Status(b.size(), b.capacity(), b.bytes(), b.sampling().name().toLowerCase(Locale.ROOT), b.seen(),
                feed.arrived() - arrivedAtLastRound, settings.minNewImages(), feed.refused(), runner.progress(), n, last);
    }

    public TrainerSettings settings() {
        return settings;
    }

    /** The PNG of every version's metrics, as the models topic holds them now. */
    public byte[] metricsPlot() {
        return MetricsPlot.png(ModelLog.readAll(platform, RoundRunner.MODELS_TIMEOUT));
    }

    /** Held for tests that feed the buffer without the images topic. */
    TrainingBuffer buffer() {
        return feed.buffer();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        runner.stop();
        feed.stop();
        scheduler.interrupt();
        feed.join(Duration.ofSeconds(10));
        // A round in progress sees the runner stopped at its next step and ends.
        roundLock.lock();
        try {
            release.close();
        } finally {
            roundLock.unlock();
        }
    }
}
