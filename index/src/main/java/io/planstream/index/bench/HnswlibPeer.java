package io.planstream.index.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * hnswlib, the C++ HNSW library, measured on the same fvecs files as {@link IndexBenchmark} in the
 * same run, by the project's script {@code bench/peers/hnswlib_bench.py} under Debian's
 * {@code python3-hnswlib}: built with the same {@code m}, {@code efConstruction} and threads, searched
 * on one thread one query at a time with {@code ef} = each {@code numCandidates}, recall against the
 * exact top k of cosine.
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
    }

    public record Result(Build build, List<Row> rows) {
    }

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
     * Runs the script on {@code vectors} and {@code queries}; its progress lines go to {@code stderr}.
     *
     * @throws IOException when the script cannot start or fails: the message carries its last error
     *         lines and, where hnswlib is missing, the command that installs it
     */
    public static Result run(Path script, Path vectors, Path queries, int k, int m, int efConstruction,
                             List<Integer> efs, int buildThreads, int rounds, Consumer<String> stderr)
            throws IOException, InterruptedException {
        StringJoiner ef = new StringJoiner(",");
        efs.forEach(e -> ef.add(Integer.toString(e)));
        List<String> cmd = List.of(PYTHON, script.toString(), "--vectors", vectors.toString(), "--queries",
                queries.toString(), "--k", Integer.toString(k), "--m", Integer.toString(m), "--ef-construction",
                Integer.toString(efConstruction), "--ef", ef.toString(), "--build-threads", Integer.toString(buildThreads),
                "--rounds", Integer.toString(rounds), "--json");
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new IOException(PYTHON + " is missing: install Debian's python3 and python3-hnswlib (sudo "
                    + script.resolveSibling("install.sh") + " hnswlib)");
        }
        Process p = new ProcessBuilder(cmd).start();
        List<String> errors = new ArrayList<>();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().forEach(line -> {
                    errors.add(line);
                    stderr.accept(line);
                });
            } catch (IOException e) {
                errors.add("reading the script's errors failed: " + e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IOException("hnswlib_bench.py ran for more than an hour");
        }
        drain.join();
        if (p.exitValue() != 0) {
            String tail = String.join("\n", errors.subList(Math.max(0, errors.size() - 5), errors.size()));
            boolean missing = tail.contains("No module named");
            throw new IOException("hnswlib_bench.py failed (exit " + p.exitValue() + "): " + tail
                    + (missing ? "\ninstall hnswlib with: sudo " + script.resolveSibling("install.sh") + " hnswlib" : ""));
        }
        return parse(out, k);
    }

    /** The script's JSON lines: one build line, then one search line per ef. */
    static Result parse(String jsonLines, int k) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Build build = null;
        List<Row> rows = new ArrayList<>();
        for (String line : jsonLines.strip().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = mapper.readTree(line);
            switch (n.path("phase").asText()) {
                case "build" -> build = new Build(n.get("vectors").asInt(), n.get("dimension").asInt(),
                        n.get("build_threads").asInt(), n.get("build_s").asDouble());
                case "search" -> rows.add(new Row(n.get("ef").asInt(), n.get("qps").asDouble(), n.get("p50_ms").asDouble(),
                        n.get("p99_ms").asDouble(), n.get("recall_at_" + k).asDouble()));
                default -> throw new IOException("unexpected line from hnswlib_bench.py: " + line);
            }
        }
        if (build == null || rows.isEmpty()) {
            throw new IOException("hnswlib_bench.py printed no build or no search line: " + jsonLines);
        }
        return new Result(build, List.copyOf(rows));
    }
}
