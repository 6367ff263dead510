package io.planstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.Embedding;
import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.embedder.model.ForwardWorkers;
import io.planstream.embedder.streams.EmbedderService;
import io.planstream.embedder.streams.EmbedderSettings;
import io.planstream.index.lucene.HnswParams;
import io.planstream.index.service.IndexService;
import io.planstream.index.service.IndexSettings;
import io.planstream.index.service.SearchResult;
import io.planstream.ingest.ImagePublisher;
import io.planstream.ingest.Upload;
import io.planstream.ingest.UploadService;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.ingest.image.ImageLimits;
import io.planstream.ingest.image.UploadValidator;
import io.planstream.models.ModelLog;
import io.planstream.models.ModelPublisher;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Topic;
import io.planstream.platform.testing.Await;
import io.planstream.simclr.Devices;
import io.planstream.simclr.model.EncoderSpec;

/**
 * The whole roll-out on a real broker with the real embedder, index and trainer: plans are ingested,
 * the trainer publishes version 1 (a first model) and then version 2 (continued from 1) through the
 * artifacts topic, every image is re-embedded by each version exactly once, the index switches version
 * by version while a query loop runs the whole time without one failure or a step back, an operator's
 * pin rolls everything back to version 1, a worse candidate is not published, and a second trainer
 * fences the first.
 */
class RolloutTest {

    private static final int PLANS = 48;
    private static final int SIZE = 32;
    private static final EncoderSpec FIRST = EncoderSpec.of("resnet-mini", 3, SIZE);

    @TempDir
    static Path dir;

    private static KafkaPlatform platform;
    private static EmbedderService embedder;
    private static IndexService index;
    private static final List<String> ids = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        platform = KafkaPlatform.builder().optPartitions(2).start();
        Map<String, Object> overrides = Map.of("commit.interval.ms", 100, "num.stream.threads", 1,
                "consumer.session.timeout.ms", 10_000);
        embedder = new EmbedderService(platform, new EmbedderService.Options(new EmbedderSettings(16, Duration.ofMillis(50), true),
                FIRST, 3, Devices.choose("cpu"), ForwardWorkers.single(), dir.resolve("embedder"), overrides, 0, Duration.ofMillis(200),
                dir.resolve("embedder-artifacts"))).start();
        index = new IndexService(platform, new IndexSettings(dir.resolve("index"), HnswParams.defaults(), Duration.ofMillis(100),
                Duration.ofMillis(500), 0, 3, 32, Duration.ofMillis(200))).start();
        upload(0, PLANS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (index != null) {
            index.close();
        }
        if (embedder != null) {
            embedder.close();
        }
        platform.close();
    }

    private static TrainerSettings settings(String name, double margin) {
        return TrainerSettings.builder().setWorkDir(dir.resolve(name))
                .optBufferImages(1000).optBufferBytes(64L << 20).optMinNewImages(0).optEpochs(2).optBatchSize(16)
                .optMaxRoundDuration(Duration.ofMinutes(5)).optHeldOutFraction(0.25).optMargin(margin)
                .optFirstEncoder(FIRST).optTransactionalId("test-trainer").optPublisher(name).optDevice("cpu").optSeed(7).build();
    }

    @Test
    void shouldRollOutTrainedVersionsWithoutAFailedQueryThenRollBackAndRefuseAWorseCandidate() throws Exception {
        await(() -> index.activeVersion().orElse(-1) == 0 && documents(0) == PLANS, "version 0 indexes every plan");

        AtomicBoolean querying = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger stepsBack = new AtomicInteger();
        AtomicBoolean rollingBack = new AtomicBoolean();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Set<Integer> versionsSeen = ConcurrentHashMap.newKeySet();
        Thread loop = new Thread(() -> {
            Random random = new Random(3);
            int newest = 0;
            while (querying.get()) {
                try {
                    SearchResult r = index.similar(ids.get(random.nextInt(PLANS)), 5, 20);
                    // Until the operator's roll-back, versions only go forward.
                    if ((r.modelVersion() < newest && !rollingBack.get()) || r.hits().size() != 5) {
                        stepsBack.incrementAndGet();
                    }
                    newest = Math.max(newest, r.modelVersion());
                    versionsSeen.add(r.modelVersion());
                    answered.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    errors.add(e);
                }
            }
        }, "query-loop");
        loop.start();

        try (TrainerService trainer = new TrainerService(platform, settings("trainer-a", 1.0)).start()) {
            await(() -> trainer.buffer().size() == PLANS, "the trainer buffers every plan");
            RoundResult first = trainer.runRound("test");
            assertThat(first.outcome()).as(first.reason()).isEqualTo(RoundResult.Outcome.PUBLISHED);
            assertThat(first.publishedVersion()).isEqualTo(1);
            assertThat(first.parentVersion()).isNull();
            assertThat(first.trainImages() + first.heldOutImages()).isEqualTo(PLANS);
            await(() -> index.activeVersion().orElse(-1) == 1 && documents(1) == PLANS, "version 1 answers with every plan");

            RoundResult second = trainer.runRound("test");
            assertThat(second.outcome()).as(second.reason()).isEqualTo(RoundResult.Outcome.PUBLISHED);
            assertThat(second.publishedVersion()).isEqualTo(2);
            assertThat(second.parentVersion()).isEqualTo(1);
            assertThat(second.current()).containsKeys(QualityGate.LOSS, "alignment", "uniformity", QualityGate.KNN);
            assertThat(second.candidate()).containsKeys(QualityGate.LOSS, "alignment", "uniformity", QualityGate.KNN);
            await(() -> index.activeVersion().orElse(-1) == 2 && documents(2) == PLANS, "version 2 answers with every plan");

            ModelVersion v2 = ModelLog.readAll(platform, Duration.ofSeconds(30)).get(2);
            assertThat(v2.getParent()).isEqualTo(1);
            assertThat(v2.getArtifactUri()).startsWith("kafka://");
            assertThat(v2.getMetrics()).containsKeys(QualityGate.LOSS, "train_images");

            // A worse candidate: the gate demands a held-out loss below zero, which NT-Xent never reaches.
            try (TrainerService strict = new TrainerService(platform, settings("trainer-b", -1.0)).start()) {
                await(() -> strict.buffer().size() == PLANS, "the second trainer buffers every plan");
                RoundResult refused = strict.runRound("test");
                assertThat(refused.outcome()).as(refused.reason()).isEqualTo(RoundResult.Outcome.REJECTED);
                assertThat(refused.reason()).contains("held-out loss");
                assertThat(refused.publishedVersion()).isNull();
                // The second trainer took the shared transactional id: the first may no longer publish.
                RoundResult fenced = trainer.runRound("test");
                assertThat(fenced.outcome()).as(fenced.reason()).isEqualTo(RoundResult.Outcome.FAILED);
                assertThat(fenced.reason()).contains("another trainer");
            }
            assertThat(ModelLog.readAll(platform, Duration.ofSeconds(30))).containsOnlyKeys(1, 2);
        }

        // Roll back: pin version 1; the index answers from it again once its embedder has caught up.
        rollingBack.set(true);
        try (ModelPublisher operator = new ModelPublisher(platform, "test-operator")) {
            operator.setStates(Map.of(1, ModelState.PINNED));
        }
        await(() -> index.activeVersion().orElse(-1) == 1, "the pinned version 1 answers again");
        assertThat(index.similar(ids.get(0), 5, 20).modelVersion()).isEqualTo(1);

        querying.set(false);
        loop.join();
        System.out.printf("roll-out under a query loop: %d queries answered, %d failed, %d stepped back, versions seen %s%n",
                answered.get(), failures.get(), stepsBack.get(), new java.util.TreeSet<>(versionsSeen));
        assertThat(errors).as("queries that failed during the roll-out").isEmpty();
        assertThat(failures.get()).isZero();
        assertThat(stepsBack.get()).as("answers from an older version after a newer one, or short of k hits").isZero();
        assertThat(answered.get()).isGreaterThan(100);
        assertThat(versionsSeen).contains(0, 1, 2);

        Map<Integer, List<String>> embedded = embeddingsByVersion();
        for (int v = 1; v <= 2; v++) {
            assertThat(embedded.get(v)).as("embeddings of version %d", v).hasSize(PLANS);
            assertThat(new HashSet<>(embedded.get(v))).containsExactlyInAnyOrderElementsOf(ids);
        }

        // Rounds by count: the images already in the topic at start-up are backlog; new arrivals start a round.
        TrainerSettings byCount = TrainerSettings.builder().setWorkDir(dir.resolve("trainer-c"))
                .optBufferImages(1000).optBufferBytes(64L << 20).optSampling(TrainingBuffer.Sampling.RECENT).optMinNewImages(4)
                .optEpochs(1).optBatchSize(16).optMaxRoundDuration(Duration.ofMinutes(5)).optHeldOutFraction(0.25).optMargin(-1.0)
                .optFirstEncoder(FIRST).optTransactionalId("test-trainer-c").optPublisher("trainer-c").optDevice("cpu").optSeed(7)
                .build();
        try (TrainerService trainer = new TrainerService(platform, byCount).start()) {
            await(() -> trainer.buffer().size() == PLANS, "the third trainer buffers every plan");
            Thread.sleep(1500);
            assertThat(trainer.history()).as("rounds started by the backlog alone").isEmpty();
            assertThat(trainer.status().newSinceRound()).isZero();
            upload(PLANS, 4);
            await(() -> !trainer.history().isEmpty(), "a round started by 4 new images");
            assertThat(trainer.history().get(0).trigger()).isEqualTo("images");
            assertThat(trainer.history().get(0).outcome()).isEqualTo(RoundResult.Outcome.REJECTED);
        }
    }

    private static void upload(int from, int count) throws Exception {
        FloorPlanGenerator generator = new FloorPlanGenerator();
        try (ImagePublisher publisher = new ImagePublisher(platform.clientProperties(), platform.topics().images(), Duration.ofSeconds(30),
                platform.topics().imageMaxMessageBytes())) {
            UploadService uploads = new UploadService(new UploadValidator(ImageLimits.defaults()), publisher, null, 16, Clock.systemUTC());
            for (int i = from; i < from + count; i++) {
                byte[] png = generator.generate(1000 + i).png();
                ids.add(uploads.accept(new Upload(png, "image/png", "plan-" + i, "rplan", "test", null, Map.of())).id());
            }
        }
    }

    private static int documents(int version) {
        return index.status().versions().stream().filter(v -> v.version() == version)
                .mapToInt(io.planstream.index.service.VersionStatus::documents).findFirst().orElse(-1);
    }

    private static Map<Integer, List<String>> embeddingsByVersion() {
        Topic<String, Embedding> topic = platform.topics().embeddings();
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<Integer, List<String>> out = new HashMap<>();
        try (KafkaConsumer<String, Embedding> c = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic.name()).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, Embedding> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        out.computeIfAbsent(r.value().getModelVersion(), k -> new ArrayList<>()).add(r.key());
                    }
                }
            }
        }
        return out;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, Duration.ofMinutes(3), condition);
    }
}
