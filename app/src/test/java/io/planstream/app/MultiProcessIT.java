package io.planstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.app.cli.ChildJvm;
import io.planstream.avro.Embedding;
import io.planstream.embedder.streams.EmbedderStream;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.platform.Topic;
import io.planstream.platform.TopicNames;
import io.planstream.platform.TopicReader;
import io.planstream.platform.Topics;
import io.planstream.schemas.registry.EmbeddedSchemaRegistry;

/**
 * The packaged application as four processes on one machine, on loopback: ingest with the embedded
 * broker and registry, two embedders and an index, each a JVM of its own. While generated plans are
 * uploaded at a steady rate, one embedder is killed with SIGKILL (no shutdown of any kind) while its
 * stream thread is inside a transaction; the other takes over its partitions, and every accepted plan
 * ends up with exactly one committed embedding and one document in the index. That the kill landed
 * inside a transaction is checked from the broker's side: right after it, the killed producer's
 * transaction is still open with records written, and in the end a read_uncommitted consumer sees
 * those records where a read_committed one never does (the transaction was aborted). About a minute.
 */
class MultiProcessIT {

    private static final int PLANS = 120;
    /** The kill comes once a third of the uploads were accepted and both embedders have committed work. */
    private static final int KILL_AFTER = PLANS / 3;
    /** About 30 s of uploads: they go on through the kill and the takeover. */
    private static final Duration UPLOAD_PERIOD = Duration.ofMillis(250);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(180);
    /** The broker's minimum (group.min.session.timeout.ms): the group drops the killed embedder this long after the kill. */
    private static final String SESSION_TIMEOUT = "6s";
    /**
     * How long the kill waits for embedder-2 to be inside a transaction (records sent, not yet
     * committed) once everything else is ready; past it, the test fails.
     */
    private static final Duration OPEN_TRANSACTION_WAIT = Duration.ofSeconds(10);
    /**
     * Commits a second apart: each transaction holds about a second of embeddings, so the kill finds
     * one open with records in it.
     */
    /** Transactions a second long (committed by the interval only), so that the kill lands inside one. */
    private static final List<String> EMBEDDER_ARGS = List.of("-Dplanstream.embedder.commit-interval=1s",
            "-Dplanstream.embedder.commit-when-drained=false");
    /** What Java reports for a process ended by signal 9. */
    private static final int SIGKILL_EXIT = 128 + 9;
    private static final String GROUP = EmbedderStream.applicationId(0);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Child> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One {@code planstream serve} process; its stdout and stderr go to {@code log}. */
    private record Child(String name, Process process, Path log, String url) {

        String tail(int lines) {
            try {
                List<String> all = Files.readAllLines(log);
                return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
            } catch (IOException e) {
                return "(log unreadable: " + e + ")";
            }
        }
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        // Before @TempDir deletes their data directories.
        for (Child c : children) {
            c.process.destroyForcibly();
        }
        for (Child c : children) {
            c.process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldEmbedAndIndexEveryPlanExactlyOnceWhenAnEmbedderProcessIsKilledMidStream() throws Exception {
        try {
            run();
        } catch (Throwable t) {
            for (Child c : children) {
                System.err.printf("---- last lines of %s (%s) ----%n%s%n", c.name, c.process.isAlive() ? "alive" : "exited "
                        + c.process.exitValue(), c.tail(40));
            }
            throw t;
        }
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        int[] ports = ServeProcess.freePorts(6);
        String bootstrap = "127.0.0.1:" + ports[0];
        String registry = "http://127.0.0.1:" + ports[1];
        Child ingest = start("ingest", ports[2], List.of("-Dplanstream.embedded.kafka-port=" + ports[0],
                "-Dplanstream.embedded.registry-port=" + ports[1]), "--roles", "ingest");
        awaitReady(ingest);
        List<String> cluster = List.of("--kafka", bootstrap, "--registry", registry);
        Child embedder1 = start("embedder-1", ports[3], EMBEDDER_ARGS, concat(List.of("--roles", "embedder"), cluster));
        Child index = start("index", ports[5], List.of(), concat(List.of("--roles", "index"), cluster));

        Map<String, Object> client = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Topic<String, Embedding> embeddings = Topics.create(Map.of(EmbeddedSchemaRegistry.URL_CONFIG, registry), 3, (short) 1)
                .embeddings();
        try (Admin admin = Admin.create(client)) {
            // One embedder after the other, so that the group's second member is known to be embedder-2.
            String first = awaitGroupMembers(admin, 1, embedder1).keySet().iterator().next();
            Child embedder2 = start("embedder-2", ports[4], EMBEDDER_ARGS, concat(List.of("--roles", "embedder"), cluster));
            for (Child c : List.of(embedder1, embedder2, index)) {
                awaitReady(c);
            }
            Map<String, Set<TopicPartition>> members = awaitGroupMembers(admin, 2, embedder1, embedder2);
            String second = members.keySet().stream().filter(m -> !m.equals(first)).findFirst().orElseThrow();

            ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
            Map<String, String> refused = new ConcurrentHashMap<>();
            CompletableFuture<Void> uploads = CompletableFuture.runAsync(() -> upload(ingest, accepted, refused));

            // The kill: a third accepted, each embedder has committed progress on its partitions, and
            // embedder-2 is inside a transaction.
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            long readyAt = 0;
            Optional<String> openTransaction = Optional.empty();
            while (openTransaction.isEmpty()) {
                if (readyAt == 0 && accepted.size() >= KILL_AFTER && bothCommitted(admin)) {
                    readyAt = System.nanoTime();
                }
                if (readyAt != 0) {
                    openTransaction = openTransaction(admin, second);
                    assertThat(System.nanoTime() - readyAt).as("embedder-2 inside a transaction within %s", OPEN_TRANSACTION_WAIT)
                            .isLessThan(OPEN_TRANSACTION_WAIT.toNanos());
                }
                assertThat(uploads).as("uploads stopped early: %s", refused).isNotCompletedExceptionally();
                assertThat(System.nanoTime()).as("a third accepted and both embedders committing, in time").isLessThan(deadline);
                Thread.sleep(readyAt != 0 ? 10 : 100);
            }
            embedder2.process.destroyForcibly();
            long killedAt = System.nanoTime();
            // Nothing of embedder-2 runs any more to commit or abort: the broker holds its transaction open
            // until the transaction timeout, so what it holds now is what the kill interrupted.
            assertThat(embedder2.process.waitFor(30, TimeUnit.SECONDS)).as("embedder-2 ended after SIGKILL").isTrue();
            Map<TopicPartition, Long> interrupted = interruptedWrites(admin, openTransaction.get());
            int acceptedAtKill = accepted.size();
            Map<TopicPartition, Long> offsetsAtKill = committedOffsets(admin);
            int embeddedAtKill = committed(client, embeddings).size();
            assertThat(embedder2.process.exitValue()).as("embedder-2 ended by signal 9").isEqualTo(SIGKILL_EXIT);
            assertThat(acceptedAtKill).as("killed while uploads go on").isLessThan(PLANS);
            assertThat(embeddedAtKill).as("killed mid-stream").isLessThan(PLANS);

            // Uploads go on; until they are done and every accepted plan has a committed embedding, note
            // when embedder-2's partitions move on again under embedder-1.
            Set<TopicPartition> orphaned = members.get(second);
            double takeoverS = -1;
            deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
            while (!uploads.isDone() || !committed(client, embeddings).keySet().containsAll(accepted)) {
                if (takeoverS < 0 && passed(committedOffsets(admin), offsetsAtKill, orphaned)) {
                    takeoverS = secondsSince(killedAt);
                }
                assertThat(embedder1.process.isAlive()).as("the surviving embedder runs").isTrue();
                assertThat(System.nanoTime()).as("every accepted plan embedded in time").isLessThan(deadline);
                Thread.sleep(250);
            }
            uploads.get();
            double embeddedS = secondsSince(killedAt);
            Set<String> ids = Set.copyOf(accepted);
            assertThat(refused).as("uploads refused").isEmpty();
            assertThat(ids).hasSize(PLANS);
            while (documents(index, 0) < ids.size()) {
                assertThat(System.nanoTime()).as("every plan indexed in time").isLessThan(deadline);
                Thread.sleep(250);
            }
            double indexedS = secondsSince(killedAt);
            assertThat(getJson(index, "/models").path("active").asInt(-1)).as("active version").isZero();
            assertThat(documents(index, 0)).as("documents of version 0").isEqualTo(ids.size());
            for (String id : ids) {
                JsonNode similar = getJson(index, "/images/" + id + "/similar?k=5");
                assertThat(similar.path("modelVersion").asInt(-1)).as("version answering for %s", id).isZero();
                assertThat(similar.path("hits").findValuesAsText("id")).as("neighbours of %s", id).hasSize(5).doesNotContain(id);
            }

            List<ConsumerRecord<String, Embedding>> records = TopicReader.records(withIsolation(client, "read_committed"),
                    embeddings, Duration.ofSeconds(30));
            int readUncommitted = TopicReader.records(withIsolation(client, "read_uncommitted"), embeddings, Duration.ofSeconds(30))
                    .size();
            Map<String, Long> perId = records.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
            long duplicates = perId.values().stream().mapToLong(n -> n - 1).sum();
            Set<String> lost = new HashSet<>(ids);
            lost.removeAll(perId.keySet());
            Set<String> strangers = new HashSet<>(perId.keySet());
            strangers.removeAll(ids);
            Map<TopicPartition, Long> aborted = abortedSince(client, interrupted, deadline);
            System.out.printf("MultiProcessIT: uploads %d, accepted %d, killed embedder-2 at %d accepted / %d embedded (inside "
                            + "transaction %s, writing from offsets %s), records of it aborted %s, "
                            + "embeddings %d, duplicates %d, lost %d, aborted embeddings %d, its partitions moving again %s s, "
                            + "all embedded %.1f s and indexed %.1f s after the kill, %.0f s in all%n",
                    PLANS, ids.size(), acceptedAtKill, embeddedAtKill, openTransaction.get(), interrupted, aborted,
                    records.size(), duplicates, lost.size(), readUncommitted - records.size(),
                    takeoverS < 0 ? "n/a" : String.format("%.1f", takeoverS), embeddedS, indexedS, secondsSince(started));

            assertThat(aborted).as("records of the interrupted transaction that read_committed never returns")
                    .containsOnlyKeys(interrupted.keySet()).allSatisfy((tp, n) -> assertThat(n).as("%s", tp).isPositive());
            assertThat(lost).as("accepted plans without a committed embedding").isEmpty();
            assertThat(strangers).as("embedded ids that were never accepted").isEmpty();
            assertThat(perId).as("committed embeddings per plan").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
            assertThat(records).allSatisfy(r -> {
                assertThat(r.value().getImageId()).isEqualTo(r.key());
                assertThat(r.value().getModelVersion()).as("version of %s", r.key()).isZero();
            });
            assertThat(getJson(embedder1, "/admin/embedder").path("running").asBoolean()).as("embedder-1 runs").isTrue();
        }
    }

    /** Uploads the plans at a steady rate; each answer is an accepted id or a refusal with its reason. */
    private void upload(Child ingest, ConcurrentLinkedQueue<String> accepted, Map<String, String> refused) {
        FloorPlanGenerator generator = new FloorPlanGenerator();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < PLANS; i++) {
                String id = "mp-" + i;
                HttpRequest request = HttpRequest.newBuilder(URI.create(ingest.url + "/images?id=" + id))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(generator.generate(i).png())).build();
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    accepted.add(id);
                } else {
                    refused.put(id, r.statusCode() + " " + r.body());
                }
                long next = start + (i + 1) * UPLOAD_PERIOD.toNanos();
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("upload to " + ingest.url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("uploads interrupted", e);
        }
    }

    private Child start(String name, int port, List<String> jvmArgs, String... args) throws IOException {
        return start(name, port, jvmArgs, List.of(args));
    }

    private Child start(String name, int port, List<String> jvmArgs, List<String> args) throws IOException {
        Path jar = Path.of(System.getProperty("planstream.app.dir", "target/quarkus-app"), "quarkus-run.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Four JVMs share the machine's cores: one GC thread each and a bounded heap.
                "-Xmx1g", "-XX:+UseSerialGC", ServeProcess.C1_ONLY, "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                // A small version-0 encoder and small batches keep the work light and the batches many.
                "-Dplanstream.embedder.bootstrap-size=32", "-Dplanstream.embedder.batch-size=4",
                "-Dplanstream.embedder.session-timeout=" + SESSION_TIMEOUT));
        cmd.addAll(ChildJvm.platformOptions());
        cmd.addAll(jvmArgs);
        // --verbose: the whole log in the child's log file, whose tail a failure shows.
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--verbose", "--port", String.valueOf(port),
                "--data-dir", dir.resolve(name).toString()));
        cmd.addAll(args);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Child child = new Child(name, p, log, "http://127.0.0.1:" + port);
        children.add(child);
        return child;
    }

    private void awaitReady(Child c) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            assertThat(c.process.isAlive()).as("%s runs", c.name).isTrue();
            assertThat(System.nanoTime()).as("%s ready within %s", c.name, START_TIMEOUT).isLessThan(deadline);
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(c.url + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // Starting: the next try comes after the pause below.
            }
            Thread.sleep(250);
        }
    }

    /** Waits until the version-0 group has {@code n} members, each owning partitions of the images topic. */
    private static Map<String, Set<TopicPartition>> awaitGroupMembers(Admin admin, int n, Child... embedders) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            Map<String, Set<TopicPartition>> members = assignments(admin);
            if (members.size() == n && members.values().stream().noneMatch(Set::isEmpty)) {
                return members;
            }
            for (Child e : embedders) {
                assertThat(e.process.isAlive()).as("%s runs", e.name).isTrue();
            }
            assertThat(System.nanoTime()).as("%d embedders in group %s within %s", n, GROUP, START_TIMEOUT).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** Each member of the group has committed progress on at least one of its partitions. */
    private static boolean bothCommitted(Admin admin) throws Exception {
        Map<String, Set<TopicPartition>> members = assignments(admin);
        Map<TopicPartition, Long> offsets = committedOffsets(admin);
        return members.size() == 2
                && members.values().stream().allMatch(parts -> parts.stream().anyMatch(tp -> offsets.getOrDefault(tp, 0L) > 0));
    }

    /**
     * The transactional id of the member's stream thread while it has a transaction open. Kafka Streams
     * names a consumer {@code <application id>-<process id>-StreamThread-<n>-consumer} and, under
     * exactly-once v2, its producer's transaction {@code <application id>-<process id>-<n>}.
     */
    private static Optional<String> openTransaction(Admin admin, String clientId) throws Exception {
        String prefix = clientId.substring(0, clientId.indexOf("-StreamThread-")) + "-";
        return admin.listTransactions(new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
                .all().get(10, TimeUnit.SECONDS).stream().map(TransactionListing::transactionalId).filter(id -> id.startsWith(prefix))
                .findFirst();
    }

    /**
     * Where the open transaction of a killed producer begins in each topic partition it wrote: the
     * broker's own view (the transaction still ONGOING, the producer's current transaction start offset).
     * Fails where the transaction is no longer open or has written nothing yet.
     */
    private static Map<TopicPartition, Long> interruptedWrites(Admin admin, String transactionalId) throws Exception {
        TransactionDescription tx = admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                .get(10, TimeUnit.SECONDS);
        assertThat(tx.state()).as("transaction %s right after the kill", transactionalId).isEqualTo(TransactionState.ONGOING);
        Set<TopicPartition> parts = tx.topicPartitions().stream().filter(tp -> !tp.topic().startsWith("__")).collect(Collectors.toSet());
        Map<TopicPartition, Long> starts = new HashMap<>();
        admin.describeProducers(parts).all().get(10, TimeUnit.SECONDS).forEach((tp, producers) -> producers.activeProducers().stream()
                .filter(p -> p.producerId() == tx.producerId()).findFirst().map(ProducerState::currentTransactionStartOffset)
                .filter(OptionalLong::isPresent).ifPresent(offset -> starts.put(tp, offset.getAsLong())));
        assertThat(starts).as("partitions with records of the open transaction %s (it holds %s)", transactionalId, parts).isNotEmpty();
        return starts;
    }

    /**
     * Per partition, the records from {@code from} on, below the last stable offset, that a read_uncommitted
     * consumer reads and a read_committed one does not: the records of aborted transactions. Waits until
     * the last stable offset has passed {@code from}, that is, until the transaction there was decided.
     */
    private static Map<TopicPartition, Long> abortedSince(Map<String, Object> client, Map<TopicPartition, Long> from, long deadline)
            throws InterruptedException {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
            long stable;
            while ((stable = lastStableOffset(client, e.getKey())) <= e.getValue()) {
                assertThat(System.nanoTime()).as("the interrupted transaction on %s decided in time", e.getKey()).isLessThan(deadline);
                Thread.sleep(250);
            }
            Set<Long> all = offsets(client, "read_uncommitted", e.getKey(), e.getValue(), stable);
            all.removeAll(offsets(client, "read_committed", e.getKey(), e.getValue(), stable));
            out.put(e.getKey(), (long) all.size());
        }
        return out;
    }

    private static long lastStableOffset(Map<String, Object> client, TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> c = rawConsumer(client, "read_committed")) {
            c.assign(List.of(tp));
            return c.endOffsets(List.of(tp)).get(tp);
        }
    }

    /** The offsets of the records a consumer at {@code isolation} reads in [from, to). */
    private static Set<Long> offsets(Map<String, Object> client, String isolation, TopicPartition tp, long from, long to) {
        Set<Long> out = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> c = rawConsumer(client, isolation)) {
            c.assign(List.of(tp));
            c.seek(tp, from);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.position(tp) < to) {
                assertThat(System.nanoTime()).as("%s read to offset %d", tp, to).isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < to) {
                        out.add(r.offset());
                    }
                }
            }
        }
        return out;
    }

    private static KafkaConsumer<byte[], byte[]> rawConsumer(Map<String, Object> client, String isolation) {
        return new KafkaConsumer<>(withIsolation(client, isolation), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Images partitions by member (client id) of the version-0 embedder group; empty before the group exists. */
    private static Map<String, Set<TopicPartition>> assignments(Admin admin) throws Exception {
        ConsumerGroupDescription group;
        try {
            group = admin.describeConsumerGroups(List.of(GROUP)).describedGroups().get(GROUP).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
        Map<String, Set<TopicPartition>> out = new HashMap<>();
        for (MemberDescription m : group.members()) {
            out.put(m.clientId(), m.assignment().topicPartitions().stream()
                    .filter(tp -> tp.topic().equals(TopicNames.IMAGES)).collect(Collectors.toSet()));
        }
        return out;
    }

    private static Map<TopicPartition, Long> committedOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        offsets.forEach((tp, o) -> {
            if (o != null && tp.topic().equals(TopicNames.IMAGES)) {
                out.put(tp, o.offset());
            }
        });
        return out;
    }

    /** Whether the committed offsets of {@code parts} are past where they were at the kill: they have a new owner. */
    private static boolean passed(Map<TopicPartition, Long> now, Map<TopicPartition, Long> atKill, Set<TopicPartition> parts) {
        return parts.stream().allMatch(tp -> now.getOrDefault(tp, 0L) > atKill.getOrDefault(tp, 0L));
    }

    /** Committed embeddings per image id. */
    private static Map<String, Long> committed(Map<String, Object> client, Topic<String, Embedding> embeddings) {
        return TopicReader.records(withIsolation(client, "read_committed"), embeddings, Duration.ofSeconds(30)).stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
    }

    private static Map<String, Object> withIsolation(Map<String, Object> client, String level) {
        Map<String, Object> p = new HashMap<>(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, level);
        return p;
    }

    /** Documents the index holds for {@code version}, from {@code GET /models}; 0 before it has the version. */
    private int documents(Child index, int version) throws IOException, InterruptedException {
        for (JsonNode v : getJson(index, "/models").path("versions")) {
            if (v.path("version").asInt(-1) == version) {
                return v.path("documents").asInt();
            }
        }
        return 0;
    }

    private JsonNode getJson(Child c, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(c.url + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s%s: %s", c.url, path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }
}
