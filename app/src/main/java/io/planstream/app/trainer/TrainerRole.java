package io.planstream.app.trainer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.planstream.app.config.PlanstreamConfig;
import io.planstream.app.config.ProcessRole;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.trainer.RoundResult;
import io.planstream.trainer.TrainerService;
import io.planstream.trainer.TrainerSettings;
import io.planstream.trainer.TrainingBuffer;
import io.planstream.trainer.rest.TrainerRuntime;
import io.quarkus.runtime.StartupEvent;

/** Starts the trainer when this process runs the trainer role. */
@ApplicationScoped
public class TrainerRole implements TrainerRuntime {

    private static final Logger LOG = Logger.getLogger(TrainerRole.class);

    @Inject
    PlanstreamConfig planstream;

    @Inject
    TrainerConfig config;

    @Inject
    KafkaPlatform platform;

    @Inject
    MeterRegistry metrics;

    private volatile TrainerService service;

    void onStart(@Observes StartupEvent event) throws IOException {
        if (config.startWithApplication()) {
            start();
        }
    }

    /**
     * Starts the trainer where this process runs the trainer role and it has not started yet: at start-up, or where
     * {@code planstream.trainer.start-with-application} is false, when the application asks (the demo, once its plans
     * are searchable).
     */
    public synchronized void start() throws IOException {
        if (!planstream.runs(ProcessRole.TRAINER) || service != null) {
            return;
        }
        TrainerSettings settings = settings(config, planstream.dataPath("trainer"), publisherName());
        TrainerService started = new TrainerService(platform, settings).start();
        service = started;
        Gauge.builder("planstream.trainer.buffer.images", started, s -> s.status().bufferImages())
                .description("images in the training buffer").register(metrics);
        Gauge.builder("planstream.trainer.rounds", started, s -> s.status().rounds())
                .description("training rounds run by this trainer").register(metrics);
        Gauge.builder("planstream.trainer.round.step", started, s -> s.status().progress().step())
                .description("step of the round in progress").register(metrics);
        for (String metric : List.of("heldout_ntxent", "alignment", "uniformity", "knn_top1", "retrieval_map10", "retrieval_auc")) {
            Gauge.builder("planstream.trainer.candidate." + metric, started, s -> lastCandidate(s, metric))
                    .description("the last round's candidate on the held-out images: " + metric).register(metrics);
        }
    }

    /** The trainer's settings from its configuration. */
    static TrainerSettings settings(TrainerConfig config, Path workDir, String publisher) {
        return TrainerSettings.builder()
                .setWorkDir(workDir)
                .optBufferImages(config.bufferImages())
                .optBufferBytes(config.bufferBytes())
                .optSampling(TrainingBuffer.Sampling.parse(config.sampling()))
                .optMinNewImages(config.minNewImages())
                .optInterval(config.interval())
                .optEpochs(config.epochs())
                .optBatchSize(config.batchSize())
                .optPolicy(config.policy())
                .optTemperature(config.temperature())
                .optMaxRoundDuration(config.maxRoundDuration())
                .optHeldOutFraction(config.heldOutFraction())
                .optMargin(config.margin())
                .optLabelKey(config.labelKey().orElse(""))
                .optFirstEncoder(EncoderSpec.of(config.firstEncoder(), 3, config.firstEncoderSize()))
                .optTransactionalId(config.transactionalId())
                .optPublisher(publisher)
                .optDevice(config.device())
                .optSeed(config.seed())
                .build();
    }

    private static double lastCandidate(TrainerService s, String metric) {
        RoundResult last = s.status().lastRound();
        Double v = last == null ? null : last.candidate().get(metric);
        return v == null ? Double.NaN : v;
    }

    private static String publisherName() {
        try {
            return "trainer@" + InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return TrainerSettings.DEFAULT_PUBLISHER;
        }
    }

    @Override
    public java.util.Optional<TrainerService> service() {
        return java.util.Optional.ofNullable(service);
    }

    @Override
    public String whyNotRunning() {
        return planstream.runs(ProcessRole.TRAINER) && !config.startWithApplication()
                ? "the trainer has not started yet: the application starts it (the demo once its plans are searchable)"
                : TrainerRuntime.super.whyNotRunning();
    }

    @PreDestroy
    synchronized void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
    }
}
