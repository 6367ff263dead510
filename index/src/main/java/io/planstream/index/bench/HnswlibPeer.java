package io.planstream.index.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * hnswlib, the C++ HNSW library, measured on the same fvecs files as {@link IndexBenchmark} in the
 * same run, by the project's script {@code bench/peers/hnswlib_bench.py} under Debian's
 * {@code python3-hnswlib}: built with the same {@code m}, {@code efConstruction} and threads, searched
 * on one thread one query at a time with {@code ef} = each {@code numCandidates}, recall against the
 * exact top k of cosine. A {@link Session} keeps the built index and measures one {@code ef} whenever
 * asked, so that its searches and the index's take turns.
 */
public final class HnswlibPeer {

    /** Where the script lives in a checkout of the project. */
    public static final Path SCRIPT = Path.of("bench", "peers", "hnswlib_bench.py");
    /** The python Debian's package installs for ({@code bench/peers/install.sh} installs it). */
    public static final String PYTHON = "/usr/bin/python3";

    /** hnswlib's build of every vector from {@code buildThreads} threads. */
    public record Build(int vectors, int dimension, int buildThreads, double buildSeconds) {
    }

    /** One {@code ef}: hnswlib's rate, latencies and recall@k. */
    public record Row(int ef, double qps, double p50Ms, double p99Ms, double recall) {

        /**
         * Passes of one {@code ef} over the same queries as one row: the rate of all of them (the queries
         * over the time they took together), and the median of the passes' p50 and p99.
         */
        public static Row combine(List<Row> passes) {
            if (passes.isEmpty()) {
                throw new IllegalArgumentException("no passes to combine");
            }
            double seconds = 0;
            for (Row r : passes) {
                if (r.ef() != passes.get(0).ef()) {
                    throw new IllegalArgumentException("passes of different ef: " + passes);
                }
                seconds += 1 / r.qps();
            }
            return new Row(passes.get(0).ef(), passes.size() / seconds, median(passes.stream().mapToDouble(Row::p50Ms).toArray()),
                    median(passes.stream().mapToDouble(Row::p99Ms).toArray()), passes.get(0).recall());
        }

        private static double median(double[] values) {
            java.util.Arrays.sort(values);
            int n = values.length;
            return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        }
    }

    public record Result(Build build, List<Row> rows) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HnswlibPeer() {
    }

    /**
     * Finds the script: under the working directory, or above the folder the application runs from
     * (a checkout's {@code app/target/quarkus-app/...}).
     *
     * @throws IllegalStateException naming where it looked
     */
    public static Path locateScript(Path codeSource) {
        List<Path> tried = new ArrayList<>();
        tried.add(Path.of("").toAbsolutePath().resolve(SCRIPT));
        for (Path dir = codeSource == null ? null : codeSource.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            tried.add(dir.resolve(SCRIPT));
        }
        return tried.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new IllegalStateException(
                "cannot find " + SCRIPT + " in the working directory or above the application (" + codeSource
                        + "); run from a checkout of the project"));
    }

    /**
     * Starts the script in its serving mode and waits for hnswlib's build; {@link Session#search}
     * then measures one {@code ef} whenever asked, between the caller's own searches.
     *
     * @throws IOException when the script cannot start or fails: the message carries its last error
     *         lines and, where hnswlib is missing, the command that installs it
     */
    public static Session start(Path script, Path vectors, Path queries, int k, int m, int efConstruction,
                                int buildThreads, Consumer<String> stderr) throws IOException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new IOException(PYTHON + " is missing: install Debian's python3 and python3-hnswlib (sudo "
                    + script.resolveSibling("install.sh") + " hnswlib)");
        }
        List<String> cmd = List.of(PYTHON, script.toString(), "--vectors", vectors.toString(), "--queries",
                queries.toString(), "--k", Integer.toString(k), "--m", Integer.toString(m), "--ef-construction",
                Integer.toString(efConstruction), "--build-threads", Integer.toString(buildThreads), "--serve");
        Session session = new Session(new ProcessBuilder(cmd).start(), script, k, stderr);
        try {
            session.build = parseBuild(session.next());
            return session;
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** The script, built and waiting for searches. Not for use by several threads. */
    public static final class Session implements AutoCloseable {
        private final Process process;
        private final Path script;
        private final int k;
        private final BufferedReader out;
        private final Writer in;
        private final List<String> errors = new CopyOnWriteArrayList<>();
        private final Thread drain;
        private Build build;

        private Session(Process process, Path script, int k, Consumer<String> stderr) {
            this.process = process;
            this.script = script;
            this.k = k;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            this.drain = Thread.ofVirtual().start(() -> {
                try (BufferedReader err = process.errorReader(StandardCharsets.UTF_8)) {
                    err.lines().forEach(line -> {
                        errors.add(line);
                        stderr.accept(line);
                    });
                } catch (IOException | UncheckedIOException e) {
                    errors.add("reading the script's errors failed: " + e);
                }
            });
        }

        /** hnswlib's build. */
        public Build build() {
            return build;
        }

        /**
         * hnswlib's searches with {@code ef}: {@code rounds} timed passes over the queries, after one
         * untimed pass (which gives the recall) only the first time this {@code ef} is asked for.
         */
        public Row search(int ef, int rounds) throws IOException {
            try {
                in.write(ef + " " + rounds + "\n");
                in.flush();
            } catch (IOException e) {
                throw failure();
            }
            return parseRow(next(), k);
        }

        /** The script's next line; the failure, with its last error lines, where it ended instead. */
        private String next() throws IOException {
            String line = out.readLine();
            if (line == null) {
                throw failure();
            }
            return line;
        }

        private IOException failure() {
            try {
                process.waitFor(30, TimeUnit.SECONDS);
                drain.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String tail = String.join("\n", errors.subList(Math.max(0, errors.size() - 5), errors.size()));
            boolean missing = tail.contains("No module named");
            return new IOException("hnswlib_bench.py failed (exit " + (process.isAlive() ? "none yet" : process.exitValue())
                    + "): " + tail + (missing ? "\ninstall hnswlib with: sudo " + script.resolveSibling("install.sh") + " hnswlib" : ""));
        }

        /** Ends the script: end of its input, then at most half a minute before it is killed. */
        @Override
        public void close() throws IOException {
            try {
                in.close();
            } catch (IOException ignored) {
                // it has ended already
            }
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                drain.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    static Build parseBuild(String line) throws IOException {
        JsonNode n = phase(line, "build");
        return new Build(n.get("vectors").asInt(), n.get("dimension").asInt(), n.get("build_threads").asInt(),
                n.get("build_s").asDouble());
    }

    static Row parseRow(String line, int k) throws IOException {
        JsonNode n = phase(line, "search");
        return new Row(n.get("ef").asInt(), n.get("qps").asDouble(), n.get("p50_ms").asDouble(), n.get("p99_ms").asDouble(),
                n.get("recall_at_" + k).asDouble());
    }

    private static JsonNode phase(String line, String phase) throws IOException {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IOException("unexpected line from hnswlib_bench.py: " + line, e);
        }
        if (!phase.equals(n.path("phase").asText())) {
            throw new IOException("expected a " + phase + " line from hnswlib_bench.py, got: " + line);
        }
        return n;
    }
}
