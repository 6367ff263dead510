package io.planstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.app.cli.ChildJvm;

/**
 * One {@code planstream serve} process of the packaged application that a test can SIGKILL and
 * start again with the same command: same ports, same data directory, its log appended to.
 */
final class ServeProcess {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    final String name;
    final String url;
    private final List<String> command;
    private final Path log;
    private Process process;
    private int starts;
    /** The start whose process answered ready and was not killed since; 0 when there is none. */
    private int readyStart;

    /**
     * The JIT option of every child JVM the *IT tests start: the C1 compiler alone. C2 would spend
     * minutes of the two shared cores on code that runs for a minute or two (docs/RESULTS.md).
     */
    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    /**
     * A process on loopback.
     *
     * @param jvmArgs options before {@code -jar} (heap, system properties)
     * @param args    {@code serve} arguments after the port and data directory
     */
    ServeProcess(String name, Path dir, int port, List<String> jvmArgs, List<String> args) {
        this(name, dir, List.of(), "127.0.0.1", port, jvmArgs, args);
    }

    /**
     * A process on a host of its own: {@code launcher} runs it there ({@link TestHosts#launcher}), and it
     * listens on {@code host}, its address there (beyond loopback, with the open network allowed).
     */
    ServeProcess(String name, Path dir, List<String> launcher, String host, int port, List<String> jvmArgs, List<String> args) {
        this.name = name;
        this.url = "http://" + host + ":" + port;
        this.log = dir.resolve(name + ".log");
        Path jar = Path.of(System.getProperty("planstream.app.dir", "target/quarkus-app"), "quarkus-run.jar");
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Several JVMs share the machine's cores: one GC thread each and a bounded heap.
                "-Xmx768m", "-XX:+UseSerialGC", C1_ONLY, "-Dai.djl.offline=true", "-Djava.awt.headless=true"));
        cmd.addAll(ChildJvm.platformOptions());
        cmd.addAll(jvmArgs);
        if (!"127.0.0.1".equals(host)) {
            cmd.add("-Dplanstream.security.allow-open-network=true");
        }
        // --verbose: the whole log in the process's log file, whose tail a failure shows.
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--verbose", "--host", host, "--port", String.valueOf(port), "--data-dir",
                dir.resolve(name).toString()));
        cmd.addAll(args);
        this.command = List.copyOf(cmd);
    }

    synchronized ServeProcess start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " runs already");
        }
        starts++;
        readyStart = 0;
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return this;
    }

    /** SIGKILL (no shutdown hook runs, nothing is flushed or committed), and waits for the end. */
    synchronized void kill() throws InterruptedException {
        readyStart = 0;
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    int starts() {
        return starts;
    }

    /** Waits for {@code /q/health/ready}; false if the process died or the time ran out. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                return false;
            }
            if (probeReady() != 0) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /**
     * The start whose process is up: it answered {@code /q/health/ready} with a 200 and was not killed
     * since. Asks once more where that is not known yet; 0 when the process is down or not ready.
     */
    int probeReady() throws InterruptedException {
        Process asked;
        int start;
        synchronized (this) {
            if (readyStart != 0 || process == null || !process.isAlive()) {
                return readyStart;
            }
            asked = process;
            start = starts;
        }
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.discarding());
            synchronized (this) {
                // A kill or a new start while the probe was out: its answer is no longer this process's.
                if (r.statusCode() == 200 && process == asked && process.isAlive()) {
                    readyStart = start;
                }
                return readyStart;
            }
        } catch (IOException notListeningYet) {
            return 0;
        }
    }

    /** The start that {@link #probeReady()} last found up, if it was not killed since; 0 otherwise. */
    synchronized int readyStart() {
        return readyStart;
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** {@code GET path} as JSON; an empty object while the process does not answer it with a 200. */
    JsonNode getJson(String path) throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** POSTs an empty body and reads the JSON answer, which must be a 200. */
    JsonNode post(String path, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s%s: %s", name, path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Documents of one version in an answer of {@code GET /models}; 0 where it is not listed. */
    static int documents(JsonNode models, int version) {
        for (JsonNode v : models.path("versions")) {
            if (v.path("version").asInt(-1) == version) {
                return v.path("documents").asInt();
            }
        }
        return 0;
    }

    /** {@code n} distinct free loopback ports (all held open together while chosen). */
    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
