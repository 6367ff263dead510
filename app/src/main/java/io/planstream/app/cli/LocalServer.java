package io.planstream.app.cli;

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

import org.apache.commons.io.FileUtils;

/**
 * A {@code planstream serve} child process on a free loopback port with a temporary data directory,
 * for benchmarks that measure the real server without one already running.
 */
final class LocalServer implements AutoCloseable {

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final String url;

    private LocalServer(Process process, Path dataDir, Path log, String url) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.url = url;
    }

    static LocalServer start(List<String> extraArgs, Duration timeout) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("planstream-bench-");
        Path log = dataDir.resolve("server.log");
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        // --verbose: the whole log in server.log, whose tail a failed start shows.
        List<String> command = new ArrayList<>(List.of(java, "-jar", System.getProperty("java.class.path"), "serve", "--verbose",
                "--port", String.valueOf(port), "--data-dir", dataDir.toString()));
        command.addAll(List.of("-Dplanstream.embedded.kafka-port=0", "-Dplanstream.embedded.registry-port=0"));
        command.addAll(extraArgs);
        // JVM options (system properties, -X settings) go before -jar.
        List<String> ordered = new ArrayList<>();
        ordered.add(command.get(0));
        ordered.addAll(ChildJvm.platformOptions());
        command.stream().filter(LocalServer::isJvmOption).forEach(ordered::add);
        command.stream().skip(1).filter(a -> !isJvmOption(a)).forEach(ordered::add);
        Process process = new ProcessBuilder(ordered).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalServer server = new LocalServer(process, dataDir, log, "http://127.0.0.1:" + port);
        server.awaitReady(timeout);
        return server;
    }

    String url() {
        return url;
    }

    private static boolean isJvmOption(String arg) {
        return arg.startsWith("-D") || arg.startsWith("-X");
    }

    /** The server process, for measuring it (resident memory). */
    ProcessHandle process() {
        return process.toHandle();
    }

    /** The last lines of the server's log. */
    String logTail() throws IOException {
        return tail();
    }

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + " during start-up; its log:\n"
                        + tail());
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException("the server was not ready within " + timeout.toSeconds() + " s; its log:\n" + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        FileUtils.deleteQuietly(dataDir.toFile());
    }
}
