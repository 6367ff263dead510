package io.planstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.planstream.avro.Embedding;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.platform.Topic;
import io.planstream.platform.TopicReader;
import io.planstream.platform.Topics;
import io.planstream.schemas.registry.EmbeddedSchemaRegistry;

/**
 * Faults under load: while plans are uploaded steadily, the embedder, the index, the trainer and
 * the one-machine core (ingest with the embedded broker and schema registry in its process) are
 * SIGKILLed at seeded random moments and started again on the same data directories. The trainer
 * runs a short round after every 60 new plans and publishes what it trains, so model versions roll
 * out (a backfill of every plan, a new index, the switch) while the processes die around them.
 * Afterwards the active version is the newest published one, every upload answered 202 has exactly
 * one committed embedding of it and is searchable, and no refused upload appears in the images
 * topic, the embeddings or the index. No upload is answered with a 5xx while the core is up (ready
 * since its last start, and not killed before it answered). The counts are printed.
 */
class FaultInjectionIT {

    private static final long SEED = Long.getLong("planstream.faults.seed", 20261128L);
    /**
     * The upload phase, a kill about every 11 s. Shorter phases (40 s, 50 s) were tried for a faster suite and
     * not kept: on a loaded machine a restart of the core takes 40-60 s, so the two kills of the core left it
     * down for most of the phase, too few uploads were accepted for a trainer round, and a process that started
     * while the core died again did not start at all (docs/RESULTS.md, "A faster suite").
     */
    private static final Duration UPLOAD_TIME = Duration.ofSeconds(Long.getLong("planstream.faults.seconds", 80));
    private static final Duration UPLOAD_PERIOD = Duration.ofMillis(200);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(300);
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(300);

    @TempDir
    Path dir;

    private final List<ServeProcess> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @AfterEach
    void killAll() throws InterruptedException {
        for (ServeProcess p : processes) {
            p.kill();
        }
    }

    @Test
    void nothingAcceptedIsLostOrDuplicatedAndNothingRefusedAppears() throws Exception {
        try {
            run();
        } catch (Throwable t) {
            for (ServeProcess p : processes) {
                System.err.printf("---- last lines of %s (%s, started %d times) ----%n%s%n", p.name, p.alive() ? "alive" : "dead",
                        p.starts(), p.tail(40));
            }
            throw t;
        }
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        int[] ports = ServeProcess.freePorts(6);
        String bootstrap = "127.0.0.1:" + ports[0];
        String registry = "http://127.0.0.1:" + ports[1];
        List<String> small = List.of("-Dplanstream.embedder.bootstrap-size=32", "-Dplanstream.embedder.batch-size=4",
                "-Dplanstream.embedder.session-timeout=6s", "-Dplanstream.embedder.commit-interval=500ms",
                "-Dplanstream.index.catch-up-lag=0", "-Dplanstream.ingest.ack-timeout=5s");
        List<String> cluster = List.of("--kafka", bootstrap, "--registry", registry);
        ServeProcess core = add(new ServeProcess("core", dir, ports[2], concat(small, List.of("-Dplanstream.embedded.kafka-port=" + ports[0],
                "-Dplanstream.embedded.registry-port=" + ports[1])), List.of("--roles", "ingest")));
        ServeProcess embedder = add(new ServeProcess("embedder", dir, ports[3], small, concat(List.of("--roles", "embedder"), cluster)));
        ServeProcess index = add(new ServeProcess("index", dir, ports[4], small, concat(List.of("--roles", "index"), cluster)));
        // Short rounds of the small encoder at 32 px, and a gate that lets them through: what is under test is
        // the roll-out of whatever is published, not the quality of the model.
        ServeProcess trainer = add(new ServeProcess("trainer", dir, ports[5],
                concat(small, List.of("-Dplanstream.trainer.min-new-images=60", "-Dplanstream.trainer.epochs=1",
                        "-Dplanstream.trainer.batch-size=16", "-Dplanstream.trainer.first-encoder-size=32", "-Dplanstream.trainer.margin=1.0")),
                concat(List.of("--roles", "trainer"), cluster)));
        core.start();
        assertThat(core.awaitReady(START_TIMEOUT)).as("core ready").isTrue();
        for (ServeProcess p : List.of(embedder, index, trainer)) {
            p.start();
        }
        for (ServeProcess p : List.of(embedder, index, trainer)) {
            assertThat(p.awaitReady(START_TIMEOUT)).as("%s ready", p.name).isTrue();
        }

        Map<String, Integer> answers = new ConcurrentHashMap<>();
        Map<String, String> serverErrorsWhileUp = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> uploads = CompletableFuture.runAsync(() -> upload(core, answers, serverErrorsWhileUp, stop));

        // Every role killed at least once, then more at random; each restarted after a pause of 0.5-3 s.
        Random random = new Random(SEED);
        List<ServeProcess> victims = new ArrayList<>(List.of(embedder, index, trainer, core));
        Collections.shuffle(victims, random);
        for (int i = 0; i < 3; i++) {
            victims.add(List.of(embedder, index, trainer, core).get(random.nextInt(4)));
        }
        Map<String, Integer> faults = new TreeMap<>();
        long uploadEnd = System.nanoTime() + UPLOAD_TIME.toNanos();
        long gap = UPLOAD_TIME.toNanos() / (victims.size() + 1);
        for (ServeProcess victim : victims) {
            long at = System.nanoTime() + (long) (gap * (0.5 + random.nextDouble()));
            TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(at, uploadEnd) - System.nanoTime()));
            victim.kill();
            faults.merge(victim.name, 1, Integer::sum);
            Thread.sleep(500 + random.nextInt(2500));
            victim.start();
        }
        TimeUnit.NANOSECONDS.sleep(Math.max(0, uploadEnd - System.nanoTime()));
        stop.set(true);
        uploads.get(2, TimeUnit.MINUTES);
        for (ServeProcess p : processes) {
            assertThat(p.awaitReady(START_TIMEOUT)).as("%s ready after the faults", p.name).isTrue();
        }
        // Where the kills took every round with them, an operator's round publishes a version now, so
        // that a roll-out is always part of what settles.
        int publishedUnderFaults = models(index).path("target").asInt(0);
        String operatorRound = "";
        if (publishedUnderFaults < 1) {
            JsonNode round = trainer.post("/admin/trainer/rounds", ROUND_TIMEOUT);
            operatorRound = ", an operator's round " + round.path("outcome").asText() + " " + round.path("reason").asText();
            assertThat(round.path("outcome").asText()).as("operator round: %s", round).isEqualTo("PUBLISHED");
        }

        Set<String> accepted = ids(answers, s -> s == 202);
        Set<String> refused = ids(answers, s -> s > 0 && s != 202);
        Set<String> unanswered = ids(answers, s -> s <= 0);
        Map<String, Object> client = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Topics topics = Topics.create(Map.of(EmbeddedSchemaRegistry.URL_CONFIG, registry), 3, (short) 1);
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        Map<String, Long> perId;
        int active;
        while (true) {
            JsonNode models = models(index);
            active = models.path("active").asInt(-1);
            int target = models.path("target").asInt(-1);
            perId = committed(client, topics.embeddings(), active);
            if (active >= 1 && active == target && perId.keySet().containsAll(accepted) && documents(models, active) >= accepted.size()) {
                break;
            }
            assertThat(System.nanoTime()).as("the newest version active with every accepted plan embedded and indexed in time"
                            + " (active %d, target %d, %d of %d embedded)", active, target,
                    perId.keySet().stream().filter(accepted::contains).count(), accepted.size()).isLessThan(deadline);
            Thread.sleep(1000);
        }
        double settledS = (System.nanoTime() - started) / 1e9;
        Set<String> inImages = TopicReader.records(client, topics.images(), Duration.ofSeconds(30)).stream()
                .map(ConsumerRecord::key).collect(Collectors.toSet());
        Set<String> lost = new HashSet<>(accepted);
        lost.removeAll(perId.keySet());
        long duplicated = perId.values().stream().mapToLong(n -> n - 1).sum();
        Set<String> refusedButStored = new HashSet<>(refused);
        refusedButStored.retainAll(inImages);
        Set<String> refusedButEmbedded = new HashSet<>(refused);
        refusedButEmbedded.retainAll(perId.keySet());
        long unansweredStored = unanswered.stream().filter(inImages::contains).count();
        int documents = documents(models(index), active);
        System.out.printf("FaultInjectionIT: seed %d, faults %s (%d in all), uploads %d: accepted %d, refused %d (5xx while the"
                        + " core was up %d), unanswered %d (of which stored %d); versions published while the faults went on %d%s,"
                        + " active at the end %d; lost %d, duplicated %d, refused but stored %d, refused but embedded %d; index documents %d; settled %.0f s after the start%n",
                SEED, faults, faults.values().stream().mapToInt(Integer::intValue).sum(), answers.size(), accepted.size(), refused.size(),
                serverErrorsWhileUp.size(), unanswered.size(), unansweredStored, Math.max(0, publishedUnderFaults), operatorRound, active,
                lost.size(), duplicated,
                refusedButStored.size(), refusedButEmbedded.size(), documents, settledS);

        assertThat(faults.keySet()).containsExactlyInAnyOrder("core", "embedder", "index", "trainer");
        assertThat(serverErrorsWhileUp).as("uploads answered with a 5xx while the core was up").isEmpty();
        assertThat(accepted).as("uploads accepted around the faults").hasSizeGreaterThan(answers.size() / 3);
        assertThat(lost).as("accepted plans without a committed embedding").isEmpty();
        assertThat(duplicated).as("duplicate committed embeddings").isZero();
        assertThat(refusedButStored).as("refused uploads in the images topic").isEmpty();
        assertThat(refusedButEmbedded).as("refused uploads embedded").isEmpty();
        // The index holds accepted plans and, at most, unanswered ones that did reach Kafka.
        assertThat(documents).as("index documents").isBetween(accepted.size(), accepted.size() + (int) unansweredStored);
        for (String id : accepted) {
            assertThat(status(index, "/images/" + id + "/similar?k=1")).as("search from %s", id).isEqualTo(200);
        }
        for (String id : refused) {
            assertThat(status(index, "/images/" + id + "/similar?k=1")).as("search from refused %s", id).isEqualTo(404);
        }
    }

    private ServeProcess add(ServeProcess p) {
        processes.add(p);
        return p;
    }

    /**
     * Uploads a new plan every period until told to stop: each id's answer is its status, or 0 when none
     * came. A 5xx from a core that was up when the upload left and was not killed before it answered is
     * kept with its body.
     */
    private void upload(ServeProcess core, Map<String, Integer> answers, Map<String, String> serverErrorsWhileUp, AtomicBoolean stop) {
        FloorPlanGenerator generator = new FloorPlanGenerator();
        long start = System.nanoTime();
        for (int i = 0; !stop.get(); i++) {
            String id = "fi-" + i;
            HttpRequest request = HttpRequest.newBuilder(URI.create(core.url + "/images?id=" + id)).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(generator.generate(SEED + i).png())).build();
            int status;
            try {
                int upStart = core.probeReady();
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                if (status >= 500 && upStart != 0 && core.readyStart() == upStart) {
                    serverErrorsWhileUp.put(id, status + " " + r.body());
                }
            } catch (IOException e) {
                status = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            answers.put(id, status);
            long next = start + (i + 1) * UPLOAD_PERIOD.toNanos();
            try {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Set<String> ids(Map<String, Integer> answers, java.util.function.IntPredicate status) {
        return answers.entrySet().stream().filter(e -> status.test(e.getValue())).map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    /** Committed embeddings of one model version, counted by image id. */
    private static Map<String, Long> committed(Map<String, Object> client, Topic<String, Embedding> embeddings, int version) {
        return TopicReader.records(new HashMap<>(client), embeddings, Duration.ofSeconds(30)).stream()
                .filter(r -> r.value().getModelVersion() == version)
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
    }

    /** The index's {@code GET /models} (active, target, versions); an empty object while it does not answer. */
    private static JsonNode models(ServeProcess index) throws InterruptedException {
        return index.getJson("/models");
    }

    private static int documents(JsonNode models, int version) {
        return ServeProcess.documents(models, version);
    }

    private int status(ServeProcess p, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(p.url + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
