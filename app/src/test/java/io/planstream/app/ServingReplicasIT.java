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
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.ingest.generate.FloorPlanGenerator;

/**
 * Three index replicas that agree, as separate processes of the packaged application: one core (ingest and
 * the trainer, with the embedded broker and registry), two embedders and three index replicas. As root each
 * process runs on a test host of its own (a network namespace joined to a bridge by a veth pair,
 * {@link TestHosts}), so that their traffic crosses a network; otherwise they share loopback.
 * Plans are uploaded steadily while two model versions roll out, and one index replica is SIGKILLed in the
 * middle of the first switch (the new version published, the cluster still on the old one) and started again.
 *
 * <p>Two clients run meanwhile, each sending its requests round-robin over the replicas that answer their
 * readiness probe, as a Kubernetes Service would. One searches with {@code minVersion} set to the highest
 * {@code modelVersion} it has been answered with: it must never see a lower one. The other, after each
 * upload, searches with {@code after} set to the upload's token: it must find the plan it has just uploaded.
 * In the end every replica answers with the last version, holding every accepted plan. The switch spread (from
 * the first replica answering with a version to the last) and the waits of {@code after} are printed.
 */
class ServingReplicasIT {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration ROLL_OUT_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration UPLOAD_PERIOD = Duration.ofMillis(500);
    /** Plans uploaded before the first round, so that the trainer has something to train on. */
    private static final int FIRST_PLANS = 16;
    /**
     * At most this many plans: on a loaded machine the roll-outs take longer, and uploads without a bound would make
     * every backfill longer still.
     */
    private static final int MAX_PLANS = 100;
    private static final int REPLICAS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<ServeProcess> processes = new ArrayList<>();
    private TestHosts hosts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @AfterEach
    void killAll() throws InterruptedException {
        for (ServeProcess p : processes) {
            p.kill();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    @Test
    void shouldServeOneVersionAcrossReplicasAndReadEveryUploadBackThroughItsToken() throws Exception {
        try {
            run();
        } catch (Throwable t) {
            for (ServeProcess p : processes) {
                System.err.printf("---- last lines of %s (%s) ----%n%s%n", p.name, p.alive() ? "alive" : "down", logTail(p, 60));
            }
            throw t;
        }
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        int[] ports = ServeProcess.freePorts(5 + REPLICAS);
        List<String> names = new ArrayList<>(List.of("core", "embedder-1", "embedder-2"));
        for (int i = 1; i <= REPLICAS; i++) {
            names.add("index-" + i);
        }
        TestHosts.Result made = TestHosts.create(names);
        hosts = made.hosts().orElse(null);
        System.out.println("ServingReplicasIT: " + (hosts != null ? "one network namespace per process, joined by veth pairs and a bridge"
                : "loopback (" + made.whyNot() + ")"));
        String coreHost = address("core");
        String bootstrap = coreHost + ":" + ports[0];
        String registry = "http://" + coreHost + ":" + ports[1];
        // One view per plan instead of the 8 symmetries: six JVMs share two cores, and what is under test is the switch.
        List<String> small = List.of("-Dplanstream.embedder.bootstrap-size=32", "-Dplanstream.embedder.batch-size=4",
                "-Dplanstream.embedder.symmetries=false",
                "-Dplanstream.embedder.commit-interval=200ms", "-Dplanstream.index.catch-up-lag=0");
        List<String> cluster = List.of("--kafka", bootstrap, "--registry", registry);
        // Rounds only when asked, short ones of the small encoder at 32 px, and a gate that lets them through: what
        // is under test is the roll-out of whatever is published.
        ServeProcess core = add(process("core", ports[2], concat(small, List.of("-Dplanstream.embedded.host=" + coreHost,
                "-Dplanstream.embedded.kafka-port=" + ports[0],
                "-Dplanstream.embedded.registry-port=" + ports[1], "-Dplanstream.trainer.min-new-images=0", "-Dplanstream.trainer.epochs=1",
                "-Dplanstream.trainer.batch-size=8", "-Dplanstream.trainer.first-encoder-size=32", "-Dplanstream.trainer.margin=1.0",
                "-Dplanstream.trainer.device=cpu")), List.of("--roles", "ingest,trainer")));
        List<ServeProcess> embedders = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            embedders.add(add(process("embedder-" + i, ports[2 + i], small, concat(List.of("--roles", "embedder"), cluster))));
        }
        List<ServeProcess> replicas = new ArrayList<>();
        for (int i = 1; i <= REPLICAS; i++) {
            int port = ports[4 + i];
            replicas.add(add(process("index-" + i, port, concat(small, List.of("-Dplanstream.index.replica-id=index-" + i,
                    "-Dplanstream.index.endpoint=http://" + address("index-" + i) + ":" + port, "-Dplanstream.index.heartbeat=500ms",
                    "-Dplanstream.index.replica-timeout=4s")), concat(List.of("--roles", "index"), cluster))));
        }
        core.start();
        assertThat(core.awaitReady(START_TIMEOUT)).as("core ready").isTrue();
        for (ServeProcess p : concat(embedders, replicas)) {
            p.start();
        }
        for (ServeProcess p : concat(embedders, replicas)) {
            assertThat(p.awaitReady(START_TIMEOUT)).as("%s ready", p.name).isTrue();
        }

        Routes routes = new Routes(replicas);
        AtomicBoolean stop = new AtomicBoolean();
        List<String> accepted = new CopyOnWriteArrayList<>();
        List<String> afterFailures = new CopyOnWriteArrayList<>();
        List<Long> afterWaits = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> uploads = CompletableFuture.runAsync(() -> uploadAndReadBack(core, routes, accepted, afterWaits,
                afterFailures, stop));
        awaitAll(replicas, 0, "version 0 (the bootstrap encoder) on every replica");
        await(() -> accepted.size() >= FIRST_PLANS, Duration.ofSeconds(60), "the first plans accepted");

        List<Integer> seen = new CopyOnWriteArrayList<>();
        AtomicInteger refusedByMinimum = new AtomicInteger();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readWithMinVersion(routes, accepted.get(0), seen, refusedByMinimum, stop));

        // Version 1, and a replica SIGKILLed while the cluster switches to it: published, not yet served.
        JsonNode first = core.post("/admin/trainer/rounds", Duration.ofMinutes(3));
        assertThat(first.path("publishedVersion").asInt(-1)).as("round 1: %s", first).isEqualTo(1);
        ServeProcess victim = replicas.get(1);
        await(() -> models(victim).path("target").asInt(-1) == 1, Duration.ofSeconds(30), "index-2 reads version 1");
        JsonNode atKill = cluster(replicas.get(0));
        victim.kill();
        assertThat(atKill.path("servingVersion").asInt(-1)).as("killed mid-switch: the cluster still on version 0 (%s)", atKill)
                .isZero();
        Thread.sleep(1_500);
        victim.start();
        awaitAll(replicas, 1, "version 1 on every replica, index-2 restarted");
        assertThat(victim.awaitReady(START_TIMEOUT)).as("index-2 ready again").isTrue();

        JsonNode second = core.post("/admin/trainer/rounds", Duration.ofMinutes(3));
        assertThat(second.path("publishedVersion").asInt(-1)).as("round 2: %s", second).isEqualTo(2);
        awaitAll(replicas, 2, "version 2 on every replica");
        await(() -> seen.contains(2), Duration.ofSeconds(30), "the minVersion client answered by version 2");
        stop.set(true);
        uploads.get(60, TimeUnit.SECONDS);
        reader.get(60, TimeUnit.SECONDS);

        for (ServeProcess r : replicas) {
            await(() -> documents(models(r), 2) == accepted.size(), Duration.ofSeconds(60), r.name + " holds every accepted plan in version 2");
            JsonNode c = cluster(r);
            assertThat(c.path("servingVersion").asInt(-1)).as("%s: %s", r.name, c).isEqualTo(2);
            assertThat(c.path("ready").asBoolean()).as("%s ready", r.name).isTrue();
            assertThat(models(r).path("active").asInt(-1)).as("%s answers with", r.name).isEqualTo(2);
        }
        Map<Integer, List<Long>> switchLatency = new HashMap<>();
        for (int v = 1; v <= 2; v++) {
            switchLatency.put(v, switchLatencies(replicas, v));
        }
        List<Long> waits = new ArrayList<>(afterWaits);
        Collections.sort(waits);
        System.out.printf("ServingReplicasIT: %d plans accepted, %d read back through their token (wait p50 %d ms, p99 %d ms, max %d ms), "
                        + "%d answers to the minVersion client (versions %s, %d refused as not ready), "
                        + "from the switch record to each replica answering with it %s ms, index-2 killed with the cluster on %s, %.0f s in all%n",
                accepted.size(), waits.size(), percentile(waits, 50), percentile(waits, 99), percentile(waits, 100), seen.size(),
                runs(seen), refusedByMinimum.get(), switchLatency, atKill.path("servingVersion"), (System.nanoTime() - started) / 1e9);

        assertThat(afterFailures).as("uploads not found by a search with their token").isEmpty();
        assertThat(waits).as("every accepted plan read back").hasSize(accepted.size());
        assertThat(seen).as("versions the minVersion client was answered with, in order").isSorted().contains(0, 1, 2);
        assertThat(switchLatency.get(2)).as("every replica logged its switch to version 2").hasSize(REPLICAS);
    }

    // ---------------------------------------------------------------- the clients

    /** The replicas that answer their readiness probe, taken in turn, as a Service sends requests. */
    private static final class Routes {
        private final List<ServeProcess> replicas;
        private final AtomicInteger next = new AtomicInteger();

        Routes(List<ServeProcess> replicas) {
            this.replicas = replicas;
        }

        /** When each replica's readiness was last asked, and the answer: a Service's endpoints lag the probes too. */
        private final Map<ServeProcess, long[]> probed = new ConcurrentHashMap<>();

        /** The next ready replica; null where none is (the caller retries). */
        ServeProcess next() throws InterruptedException {
            for (int i = 0; i < replicas.size(); i++) {
                ServeProcess r = replicas.get(Math.floorMod(next.getAndIncrement(), replicas.size()));
                if (r.alive() && readyNow(r)) {
                    return r;
                }
            }
            return null;
        }

        /** The replica's readiness, asked at most every 200 ms. */
        private boolean readyNow(ServeProcess r) throws InterruptedException {
            long now = System.nanoTime();
            long[] last = probed.get(r);
            if (last != null && now - last[0] < TimeUnit.MILLISECONDS.toNanos(200)) {
                return last[1] == 1;
            }
            boolean ready = ready(r);
            probed.put(r, new long[] {now, ready ? 1 : 0});
            return ready;
        }

        private static boolean ready(ServeProcess r) throws InterruptedException {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(r.url + "/q/health/ready")).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        }

        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * Uploads a plan every period; after each, searches a ready replica with the upload's token, which must find
     * the plan (its neighbours route answers only for an image the answering version holds).
     */
    private void uploadAndReadBack(ServeProcess core, Routes routes, List<String> accepted, List<Long> waits, List<String> failures,
                                   AtomicBoolean stop) {
        FloorPlanGenerator generator = new FloorPlanGenerator();
        long start = System.nanoTime();
        try {
            for (int i = 0; !stop.get() && i < MAX_PLANS; i++) {
                String id = "rs-" + i;
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(core.url + "/images?id=" + id)).timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(generator.generate(7_000 + i).png()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("upload %s: %s", id, r.body()).isEqualTo(202);
                accepted.add(id);
                String token = JSON.readTree(r.body()).path("token").asText();
                readBack(routes, id, token, waits, failures);
                TimeUnit.NANOSECONDS.sleep(Math.max(0, start + (i + 1) * UPLOAD_PERIOD.toNanos() - System.nanoTime()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("upload failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readBack(Routes routes, String id, String token, List<Long> waits, List<String> failures) throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            ServeProcess replica = routes.next();
            if (replica == null) {
                Thread.sleep(250);
                continue;
            }
            HttpResponse<String> r;
            try {
                r = http.send(HttpRequest.newBuilder(URI.create(replica.url + "/images/" + id + "/similar?k=3&timeout=30s&after=" + token))
                        .timeout(Duration.ofSeconds(40)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                continue; // the replica went down while asked (the SIGKILL): the next one answers
            }
            if (r.statusCode() == 503) {
                continue;
            }
            try {
                JsonNode body = JSON.readTree(r.body());
                if (r.statusCode() == 200 && !body.path("after").path("timedOut").asBoolean(true)) {
                    waits.add(body.path("after").path("waitedMs").asLong());
                } else {
                    failures.add(id + " on " + replica.name + ": " + r.statusCode() + " " + r.body());
                }
            } catch (IOException e) {
                failures.add(id + " on " + replica.name + ": unreadable " + r.body());
            }
            return;
        }
        failures.add(id + ": no ready replica answered");
    }

    /** Searches round-robin with minVersion set to the highest version seen so far, and notes each answer's version. */
    private void readWithMinVersion(Routes routes, String id, List<Integer> seen, AtomicInteger refused, AtomicBoolean stop) {
        int highest = 0;
        try {
            while (!stop.get()) {
                ServeProcess replica = routes.next();
                if (replica != null) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(replica.url + "/images/" + id
                                + "/similar?k=3&minVersion=" + highest)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            int version = JSON.readTree(r.body()).path("modelVersion").asInt();
                            seen.add(version);
                            highest = Math.max(highest, version);
                        } else if (r.statusCode() == 503) {
                            refused.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // the replica went down while asked
                    }
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static final Pattern LOG_TIME = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}) ");
    private static final DateTimeFormatter LOG_TIME_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

    /**
     * From the log files (one clock, this machine's): per replica, the milliseconds from the coordinator writing
     * the switch to {@code version} to that replica answering with it. Empty where the switch was not logged.
     */
    private List<Long> switchLatencies(List<ServeProcess> replicas, int version) throws IOException {
        LocalDateTime written = null;
        List<LocalDateTime> answered = new ArrayList<>();
        for (ServeProcess r : replicas) {
            Path log = dir.resolve(r.name).resolve("logs").resolve("planstream.log");
            LocalDateTime last = null;
            for (String line : Files.readAllLines(log)) {
                Matcher m = LOG_TIME.matcher(line);
                if (!m.find()) {
                    continue;
                }
                LocalDateTime t = LocalDateTime.parse(m.group(1), LOG_TIME_FORMAT);
                if (line.contains("switched the cluster to model version " + version + " ")) {
                    written = t;
                } else if (line.contains("model version " + version + " now answers queries")) {
                    last = t;
                }
            }
            if (last != null) {
                answered.add(last);
            }
        }
        if (written == null) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (LocalDateTime t : answered) {
            out.add(Duration.between(written, t).toMillis());
        }
        Collections.sort(out);
        return out;
    }

    /** The last lines of a process's log file, without the health checks' lines (a probe every 100 ms while down). */
    private String logTail(ServeProcess p, int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve(p.name).resolve("logs").resolve("planstream.log")).stream()
                    .filter(l -> !l.contains("SRHCK01001")).toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return p.tail(lines);
        }
    }

    /** A process on its own test host where there are hosts, else on loopback. */
    private ServeProcess process(String name, int port, List<String> jvmArgs, List<String> args) {
        return hosts == null ? new ServeProcess(name, dir, port, jvmArgs, args)
                : new ServeProcess(name, dir, hosts.launcher(name), hosts.address(name), port, jvmArgs, args);
    }

    private String address(String name) {
        return hosts == null ? "127.0.0.1" : hosts.address(name);
    }

    private ServeProcess add(ServeProcess p) {
        processes.add(p);
        return p;
    }

    private void awaitAll(List<ServeProcess> replicas, int version, String what) throws InterruptedException {
        await(() -> {
            for (ServeProcess r : replicas) {
                if (models(r).path("active").asInt(-1) != version) {
                    return false;
                }
            }
            return true;
        }, ROLL_OUT_TIMEOUT, what);
    }

    private interface Check {
        boolean ok() throws InterruptedException;
    }

    private static void await(Check check, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            assertThat(System.nanoTime()).as("%s within %s", what, timeout).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** {@code GET /models} of a replica; an empty object while it does not answer. */
    private static JsonNode models(ServeProcess r) throws InterruptedException {
        return r.getJson("/models");
    }

    private static JsonNode cluster(ServeProcess r) throws InterruptedException {
        return r.getJson("/status").path("index").path("cluster");
    }

    private static int documents(JsonNode models, int version) {
        return ServeProcess.documents(models, version);
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** A sequence of versions as runs: 0x12, 1x40, 2x30. */
    private static String runs(List<Integer> seen) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < seen.size()) {
            int j = i;
            while (j < seen.size() && seen.get(j).equals(seen.get(i))) {
                j++;
            }
            out.append(out.isEmpty() ? "" : ", ").append(seen.get(i)).append('x').append(j - i);
            i = j;
        }
        return out.toString();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
