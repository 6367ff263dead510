package io.planstream.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.index.bench.HnswlibPeer;
import io.planstream.index.bench.IndexBenchmark;
import io.planstream.index.lucene.HnswParams;
import io.planstream.index.lucene.LuceneVectorization;
import io.planstream.index.lucene.VectorIndex;
import io.planstream.index.vectors.ClusteredVectors;
import io.planstream.index.vectors.Fvecs;
import io.planstream.index.vectors.VectorSet;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Search rate, latency and recall of the Lucene HNSW index, next to bare Lucene on the same files. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = {"Builds a vector index (one Lucene HNSW index, as one model version has) per --type on every core and",
                "measures searches on one thread per num_candidates: queries/s, p50/p99 latency, recall@k against brute",
                "force, and the queries/s of bare Lucene searches of the same index, in alternating rounds (qps_ratio);",
                "with --peer hnswlib, hnswlib on the same files in the same run (num_candidates as its ef), its passes over the",
                "queries taking turns with the index's, and a summary at --target-recall.",
                "Data: --vectors/--queries fvecs files, or generated clustered unit vectors (--count, --dimension)."})
final class BenchIndexCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--vectors", paramLabel = "FILE", description = "Vectors to index, fvecs format (default: generated).")
    Path vectorsFile;

    @Option(names = "--queries", paramLabel = "FILE", description = "Query vectors, fvecs format; goes with --vectors.")
    Path queriesFile;

    @Option(names = "--count", defaultValue = "100000", description = "Generated vectors (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--dimension", defaultValue = "128", description = "Dimension of generated vectors (default ${DEFAULT-VALUE}).")
    int dimension;

    @Option(names = "--queries-count", defaultValue = "1000", description = "Generated queries (default ${DEFAULT-VALUE}).")
    int queriesCount;

    @Option(names = "--clusters", description = "Clusters of the generated data (default: the square root of --count).")
    Integer clusters;

    @Option(names = "--spread", description = "Noise around each cluster centre (default: "
            + ClusteredVectors.DEFAULT_SPREAD + "; see ClusteredVectors).")
    Double spread;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--write-fvecs", paramLabel = "DIR", description = "Also write the generated data to DIR/vectors.fvecs and DIR/queries.fvecs.")
    Path writeFvecs;

    @Option(names = "--k", defaultValue = "10", description = "Hits per query (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--num-candidates", split = ",", defaultValue = "20,50,100,200",
            description = "HNSW candidates per search, one result row each (default ${DEFAULT-VALUE}).")
    List<Integer> numCandidates;

    @Option(names = "--m", defaultValue = "" + HnswParams.DEFAULT_M, description = "HNSW neighbours per node (default ${DEFAULT-VALUE}).")
    int m;

    @Option(names = "--ef-construction", defaultValue = "" + HnswParams.DEFAULT_EF_CONSTRUCTION,
            description = "HNSW candidates while building (default ${DEFAULT-VALUE}).")
    int efConstruction;

    @Option(names = "--type", split = ",", defaultValue = "hnsw,int8_hnsw,int4_hnsw,bbq_hnsw",
            description = "Elasticsearch's index_options.type, one index and block of rows each (default ${DEFAULT-VALUE}).")
    List<String> types;

    @Option(names = "--build-threads", description = "Threads that add the vectors (default: one per core).")
    Integer buildThreads;

    @Option(names = "--merge-workers", description = "Threads of the concurrent graph merge (default: one per core).")
    Integer mergeWorkers;

    @Option(names = "--peer", paramLabel = "hnswlib", description = {"Also measure hnswlib on the same files in the same run",
            "(bench/peers/hnswlib_bench.py under Debian's python3-hnswlib: sudo bench/peers/install.sh hnswlib)."})
    String peer;

    @Option(names = "--filter-selectivity", split = ",", paramLabel = "SHARE",
            description = {"Also measure searches filtered to these shares of the vectors (e.g. 0.5,0.1,0.01; each vector",
                    "carries a hashed 'bucket' attribute), with recall@k against exact filtered search."})
    List<Double> filterSelectivities = List.of();

    @Option(names = "--target-recall", defaultValue = "0.95",
            description = "Recall@k at which the summary compares queries/s (default ${DEFAULT-VALUE}).")
    double targetRecall;

    @Option(names = "--rounds", defaultValue = "5", description = "Timed passes over the queries per side and num_candidates (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--dir", description = {"Where to build the index, kept afterwards; an index there is replaced",
            "(with several --type, one folder per type under it; default: a temporary folder, deleted)."})
    Path dir;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws Exception {
        int threads = buildThreads == null ? Runtime.getRuntime().availableProcessors() : buildThreads;
        int workers = mergeWorkers == null ? HnswParams.defaultMergeWorkers() : mergeWorkers;
        List<HnswParams> params = new ArrayList<>();
        try {
            for (String type : types) {
                params.add(new HnswParams(HnswParams.Type.parse(type), m, efConstruction, workers));
            }
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException(e.getMessage());
        }
        if (peer != null && !peer.equals("hnswlib")) {
            throw new PlanstreamCommand.UsageException("--peer must be hnswlib, got '" + peer + "'");
        }
        if (threads < 1 || !(targetRecall > 0 && targetRecall <= 1)) {
            throw new PlanstreamCommand.UsageException("need --build-threads >= 1 and 0 < --target-recall <= 1");
        }
        String data;
        VectorSet vectors;
        VectorSet queries;
        Path temp = Files.createTempDirectory("planstream-bench-index-");
        try {
            Path vectorsPath = vectorsFile;
            Path queriesPath = queriesFile;
            if (vectorsFile != null || queriesFile != null) {
                if (vectorsFile == null || queriesFile == null) {
                    throw new PlanstreamCommand.UsageException("--vectors and --queries go together");
                }
                if (writeFvecs != null) {
                    throw new PlanstreamCommand.UsageException("--write-fvecs writes generated data, not with --vectors");
                }
                vectors = Fvecs.read(existing(vectorsFile));
                queries = Fvecs.read(existing(queriesFile));
                data = vectorsFile.getFileName().toString();
            } else {
                int c = clusters == null ? ClusteredVectors.defaultClusters(count) : clusters;
                double s = spread == null ? ClusteredVectors.DEFAULT_SPREAD : spread;
                if (count < 1 || queriesCount < 1 || dimension < 1 || dimension > VectorIndex.MAX_DIMENSIONS || c < 1
                        || !(s >= 0) || Double.isInfinite(s) || (long) count * dimension > Integer.MAX_VALUE - 8) {
                    throw new PlanstreamCommand.UsageException("need --count >= 1, --queries-count >= 1, 1 <= --dimension <= "
                            + VectorIndex.MAX_DIMENSIONS + ", --clusters >= 1, --spread >= 0, and --count x --dimension < 2^31");
                }
                ClusteredVectors generator = new ClusteredVectors(dimension, c, s, seed.value());
                vectors = generator.sample(count, seed.value() + 1);
                queries = generator.sample(queriesCount, seed.value() + 2);
                data = String.format(Locale.ROOT, "clustered(clusters=%d, spread=%s, seed=%d)", c, s, seed.value());
                // the peer reads the same files
                Path out = writeFvecs != null ? writeFvecs : peer != null ? temp : null;
                if (out != null) {
                    Files.createDirectories(out);
                    vectorsPath = out.resolve("vectors.fvecs");
                    queriesPath = out.resolve("queries.fvecs");
                    Fvecs.write(vectorsPath, vectors);
                    Fvecs.write(queriesPath, queries);
                }
            }
            List<IndexBenchmark.Result> results = new ArrayList<>();
            List<HnswlibPeer.Result> peerResults = new ArrayList<>();
            java.io.PrintWriter err = spec.commandLine().getErr();
            err.println(LuceneVectorization.describe());
            err.flush();
            HnswlibPeer.Session session = null;
            try {
                if (peer != null) {
                    // hnswlib is built first and kept; its searches then take turns with the index's, pass by
                    // pass, so that the shared machine's slow and fast seconds fall on both alike.
                    Path script = HnswlibPeer.locateScript(codeSource());
                    err.println("bench index: hnswlib on the same files (" + script + ")");
                    err.flush();
                    session = HnswlibPeer.start(script, vectorsPath, queriesPath, k, m, efConstruction, threads, line -> {
                        err.println("  " + line);
                        err.flush();
                    });
                }
                for (HnswParams p : params) {
                    Path indexDir = dir == null ? temp.resolve("index") : params.size() == 1 ? dir : dir.resolve(p.type().esName());
                    IndexBenchmark.Config config;
                    try {
                        config = new IndexBenchmark.Config(vectors, queries, k, numCandidates, p, indexDir, rounds, threads,
                                filterSelectivities);
                    } catch (IllegalArgumentException e) {
                        throw new PlanstreamCommand.UsageException(e.getMessage());
                    }
                    // hnswlib's pass with each setting follows each of the index's timed passes with it
                    Map<Integer, List<HnswlibPeer.Row>> peerPasses = new LinkedHashMap<>();
                    HnswlibPeer.Session beside = session;
                    try (ProgressBar bar = Progress.bar("bench index " + p.type(), 1, "it")) {
                        results.add(IndexBenchmark.run(config, (phase, done, total) -> {
                            bar.maxHint(total);
                            bar.setExtraMessage(" " + phase);
                            bar.stepTo(done);
                        }, nc -> {
                            if (beside != null) {
                                bar.setExtraMessage(" hnswlib ef=" + nc);
                                peerPasses.computeIfAbsent(nc, x -> new ArrayList<>()).add(beside.search(nc, 1));
                            }
                        }));
                    }
                    if (session != null) {
                        peerResults.add(new HnswlibPeer.Result(session.build(),
                                peerPasses.values().stream().map(HnswlibPeer.Row::combine).toList()));
                    }
                    if (dir == null) {
                        VectorIndex.deleteIndex(indexDir);
                    }
                }
            } finally {
                if (session != null) {
                    session.close();
                }
            }
            report(results, peerResults, data, queries.size());
        } finally {
            deleteTemp(temp);
        }
        return PlanstreamCommand.EXIT_OK;
    }

    private static Path codeSource() {
        try {
            return Path.of(BenchIndexCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static Path existing(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new PlanstreamCommand.UsageException("no such file: " + file);
        }
        return file;
    }

    private static void deleteTemp(Path temp) throws IOException {
        VectorIndex.deleteIndex(temp.resolve("index"));
        Files.deleteIfExists(temp.resolve("vectors.fvecs"));
        Files.deleteIfExists(temp.resolve("queries.fvecs"));
        Files.deleteIfExists(temp);
    }

    private void report(List<IndexBenchmark.Result> results, List<HnswlibPeer.Result> peerResults, String data, int queryCount)
            throws IOException {
        String recallField = "recall_at_" + k;
        ObjectMapper mapper = new ObjectMapper();
        IndexBenchmark.Result first = results.get(0);
        if (!json.enabled()) {
            System.out.printf(Locale.ROOT, "%,d vectors x %d dimensions, %s, %,d queries; m %d, ef_construction %d;"
                            + " built by %d threads, merged by %d%n", first.vectors(), first.dimension(), data, queryCount, m,
                    efConstruction, first.buildThreads(), first.params().mergeWorkers());
        }
        for (IndexBenchmark.Result r : results) {
            if (!json.enabled()) {
                System.out.printf(Locale.ROOT, "%n%s: build %.1f s (%,.0f vectors/s) + merge to one segment %.1f s = %.1f s%n",
                        r.params().type(), r.buildSeconds(), r.buildVectorsPerS(), r.forceMergeSeconds(), r.totalBuildSeconds());
                System.out.printf(Locale.ROOT, "%-4s %-15s %-9s %-8s %-8s %-13s %-11s %-14s %-10s %-9s%n", "k",
                        "num_candidates", "qps", "p50_ms", "p99_ms", recallField, "lucene_qps", "lucene_p50_ms", "qps_ratio",
                        "p50_ratio");
            }
            for (IndexBenchmark.Row row : r.rows()) {
                if (!json.enabled()) {
                    System.out.printf(Locale.ROOT, "%-4d %-15d %-9.1f %-8.3f %-8.3f %-13.4f %-11.1f %-14.3f %-10.3f %-9.3f%n",
                            row.k(), row.numCandidates(), row.qps(), row.index().p50Ms(), row.index().p99Ms(), row.recall(),
                            row.luceneQps(), row.lucene().p50Ms(), row.qpsRatio(), row.p50Ratio());
                    continue;
                }
                Map<String, Object> out = header(r.vectors(), r.dimension(), data, queryCount);
                out.put("type", r.params().type().esName());
                out.put("build_threads", r.buildThreads());
                out.put("merge_workers", r.params().mergeWorkers());
                out.put("build_vectors_per_s", round(r.buildVectorsPerS(), 1));
                out.put("force_merge_s", round(r.forceMergeSeconds(), 2));
                out.put("build_s", round(r.totalBuildSeconds(), 2));
                out.put("k", row.k());
                out.put("num_candidates", row.numCandidates());
                out.put("qps", round(row.qps(), 1));
                out.put("p50_ms", round(row.index().p50Ms(), 3));
                out.put("p99_ms", round(row.index().p99Ms(), 3));
                out.put(recallField, round(row.recall(), 4));
                out.put("lucene_qps", round(row.luceneQps(), 1));
                out.put("lucene_p50_ms", round(row.lucene().p50Ms(), 3));
                out.put("lucene_p99_ms", round(row.lucene().p99Ms(), 3));
                out.put("qps_ratio", round(row.qpsRatio(), 3));
                out.put("p50_ratio", round(row.p50Ratio(), 3));
                System.out.println(mapper.writeValueAsString(out));
            }
        }
        for (IndexBenchmark.Result r : results) {
            if (!json.enabled() && !r.filtered().isEmpty()) {
                System.out.printf(Locale.ROOT, "%n%s, filtered searches (recall against exact filtered search):%n", r.params().type());
                System.out.printf(Locale.ROOT, "%-12s %-15s %-9s %-8s %-8s %-13s%n", "selectivity", "num_candidates", "qps",
                        "p50_ms", "p99_ms", recallField);
            }
            for (IndexBenchmark.FilteredRow row : r.filtered()) {
                if (!json.enabled()) {
                    System.out.printf(Locale.ROOT, "%-12.3f %-15d %-9.1f %-8.3f %-8.3f %-13.4f%n", row.selectivity(),
                            row.numCandidates(), row.index().qps(), row.index().p50Ms(), row.index().p99Ms(), row.recall());
                    continue;
                }
                Map<String, Object> out = header(r.vectors(), r.dimension(), data, queryCount);
                out.put("type", r.params().type().esName());
                out.put("filter_selectivity", row.selectivity());
                out.put("k", k);
                out.put("num_candidates", row.numCandidates());
                out.put("qps", round(row.index().qps(), 1));
                out.put("p50_ms", round(row.index().p50Ms(), 3));
                out.put("p99_ms", round(row.index().p99Ms(), 3));
                out.put(recallField, round(row.recall(), 4));
                System.out.println(mapper.writeValueAsString(out));
            }
        }
        for (int i = 0; i < peerResults.size(); i++) {
            HnswlibPeer.Result peerResult = peerResults.get(i);
            String type = results.get(i).params().type().esName();
            if (!json.enabled()) {
                System.out.printf(Locale.ROOT, "%nhnswlib, taking turns with %s: build %.1f s by %d threads%n", type,
                        peerResult.build().buildSeconds(), peerResult.build().buildThreads());
                System.out.printf(Locale.ROOT, "%-4s %-15s %-9s %-8s %-8s %-13s%n", "k", "ef", "qps", "p50_ms", "p99_ms", recallField);
            }
            for (HnswlibPeer.Row row : peerResult.rows()) {
                if (!json.enabled()) {
                    System.out.printf(Locale.ROOT, "%-4d %-15d %-9.1f %-8.3f %-8.3f %-13.4f%n", k, row.ef(), row.qps(),
                            row.p50Ms(), row.p99Ms(), row.recall());
                    continue;
                }
                Map<String, Object> out = header(first.vectors(), first.dimension(), data, queryCount);
                out.put("peer", "hnswlib");
                out.put("beside", type);
                out.put("build_threads", peerResult.build().buildThreads());
                out.put("build_s", round(peerResult.build().buildSeconds(), 2));
                out.put("k", k);
                out.put("ef", row.ef());
                out.put("qps", round(row.qps(), 1));
                out.put("p50_ms", round(row.p50Ms(), 3));
                out.put("p99_ms", round(row.p99Ms(), 3));
                out.put(recallField, round(row.recall(), 4));
                System.out.println(mapper.writeValueAsString(out));
            }
        }
        summary(results, peerResults, mapper, data, queryCount);
    }

    /**
     * Per index type, its fastest row at the target recall, and where a peer ran, the ratios to the
     * peer's fastest row among those measured beside that type.
     */
    private void summary(List<IndexBenchmark.Result> results, List<HnswlibPeer.Result> peerResults, ObjectMapper mapper,
                         String data, int queryCount) throws IOException {
        if (!json.enabled()) {
            System.out.printf(Locale.ROOT, "%nfastest at recall@%d >= %.2f:%n", k, targetRecall);
        }
        for (int i = 0; i < results.size(); i++) {
            IndexBenchmark.Result r = results.get(i);
            HnswlibPeer.Result peerResult = peerResults.isEmpty() ? null : peerResults.get(i);
            java.util.Optional<HnswlibPeer.Row> peerBest = peerResult == null ? java.util.Optional.empty()
                    : peerResult.rows().stream().filter(row -> row.recall() >= targetRecall)
                            .max(java.util.Comparator.comparingDouble(HnswlibPeer.Row::qps));
            java.util.Optional<IndexBenchmark.Row> best = IndexBenchmark.fastestAtRecall(r.rows(), targetRecall);
            Double qpsRatio = best.isPresent() && peerBest.isPresent() ? best.get().qps() / peerBest.get().qps() : null;
            Double buildRatio = peerResult == null ? null : r.totalBuildSeconds() / peerResult.build().buildSeconds();
            if (!json.enabled()) {
                if (peerResult != null) {
                    System.out.printf(Locale.ROOT, "  hnswlib    %s, build %.1f s (beside %s)%n", peerBest.map(b -> String.format(
                                    Locale.ROOT, "%,9.1f qps (ef %d, recall %.4f)", b.qps(), b.ef(), b.recall())).orElse("never reaches it"),
                            peerResult.build().buildSeconds(), r.params().type());
                }
                System.out.printf(Locale.ROOT, "  %-10s %s, build %.1f s%s%n", r.params().type(), best.map(b -> String.format(Locale.ROOT,
                                "%,9.1f qps (num_candidates %d, recall %.4f)%s", b.qps(), b.numCandidates(), b.recall(),
                                qpsRatio == null ? "" : String.format(Locale.ROOT, " = %.2f x hnswlib", qpsRatio)))
                                .orElse("never reaches it"), r.totalBuildSeconds(),
                        buildRatio == null ? "" : String.format(Locale.ROOT, " = %.2f x hnswlib's", buildRatio));
                continue;
            }
            Map<String, Object> out = header(r.vectors(), r.dimension(), data, queryCount);
            out.put("summary", "fastest_at_recall");
            out.put("type", r.params().type().esName());
            out.put("min_recall", targetRecall);
            out.put("qps", best.map(b -> round(b.qps(), 1)).orElse(null));
            out.put("num_candidates", best.map(IndexBenchmark.Row::numCandidates).orElse(null));
            out.put("recall_at_" + k, best.map(b -> round(b.recall(), 4)).orElse(null));
            out.put("build_s", round(r.totalBuildSeconds(), 2));
            if (peerResult != null) {
                out.put("hnswlib_qps", peerBest.map(b -> round(b.qps(), 1)).orElse(null));
                out.put("hnswlib_ef", peerBest.map(HnswlibPeer.Row::ef).orElse(null));
                out.put("hnswlib_build_s", round(peerResult.build().buildSeconds(), 2));
                out.put("qps_vs_hnswlib", qpsRatio == null ? null : round(qpsRatio, 3));
                out.put("build_vs_hnswlib", round(buildRatio, 3));
            }
            System.out.println(mapper.writeValueAsString(out));
        }
    }

    private Map<String, Object> header(int vectors, int dimension, String data, int queryCount) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "index");
        out.put("data", data);
        out.put("vectors", vectors);
        out.put("dimension", dimension);
        out.put("queries", queryCount);
        out.put("m", m);
        out.put("ef_construction", efConstruction);
        return out;
    }

    private static double round(double v, int digits) {
        double p = Math.pow(10, digits);
        return Math.round(v * p) / p;
    }
}
