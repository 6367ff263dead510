package io.planstream.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.index.bench.IndexBenchmark;
import io.planstream.index.lucene.HnswParams;
import io.planstream.index.lucene.VectorIndex;
import io.planstream.index.vectors.ClusteredVectors;
import io.planstream.index.vectors.Fvecs;
import io.planstream.index.vectors.VectorSet;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Search rate, latency and recall of the Lucene HNSW index, next to bare Lucene on the same files. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = {"Builds a vector index (one Lucene HNSW index, as one model version has) and measures searches on",
                "one thread per num_candidates: queries/s, p50/p99 latency, recall@k against brute force, and the",
                "queries/s of bare Lucene searches of the same index, in alternating rounds (qps_ratio).",
                "Data: --vectors/--queries fvecs files, or generated clustered unit vectors (--count, --dimension)."})
final class BenchIndexCommand implements Callable<Integer> {

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

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generated data (default ${DEFAULT-VALUE}).")
    long seed;

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

    @Option(names = "--int8", description = "Scalar-quantise the vectors to bytes (int8_hnsw).")
    boolean int8;

    @Option(names = "--rounds", defaultValue = "5", description = "Timed passes over the queries per side and num_candidates (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--dir", description = "Where to build the index, kept afterwards; an index there is replaced (default: a temporary folder, deleted).")
    Path dir;

    @Option(names = "--json", description = "Print one JSON object per result row instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        HnswParams params;
        try {
            params = new HnswParams(m, efConstruction, int8);
        } catch (IllegalArgumentException e) {
            throw new PlanstreamCommand.UsageException(e.getMessage());
        }
        String data;
        VectorSet vectors;
        VectorSet queries;
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
            ClusteredVectors generator = new ClusteredVectors(dimension, c, s, seed);
            vectors = generator.sample(count, seed + 1);
            queries = generator.sample(queriesCount, seed + 2);
            data = String.format(Locale.ROOT, "clustered(clusters=%d, spread=%s, seed=%d)", c, s, seed);
            if (writeFvecs != null) {
                Files.createDirectories(writeFvecs);
                Fvecs.write(writeFvecs.resolve("vectors.fvecs"), vectors);
                Fvecs.write(writeFvecs.resolve("queries.fvecs"), queries);
            }
        }
        Path temp = dir == null ? Files.createTempDirectory("planstream-bench-index-") : null;
        IndexBenchmark.Config config;
        try {
            config = new IndexBenchmark.Config(vectors, queries, k, numCandidates, params,
                    dir == null ? temp.resolve("index") : dir, rounds);
        } catch (IllegalArgumentException e) {
            deleteTemp(temp);
            throw new PlanstreamCommand.UsageException(e.getMessage());
        }
        IndexBenchmark.Result r;
        try (ProgressBar bar = Progress.bar("bench index", 1, "it")) {
            r = IndexBenchmark.run(config, (phase, done, total) -> {
                bar.maxHint(total);
                bar.setExtraMessage(" " + phase);
                bar.stepTo(done);
            });
        } finally {
            deleteTemp(temp);
        }
        report(r, data, queries.size());
        return PlanstreamCommand.EXIT_OK;
    }

    private static Path existing(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new PlanstreamCommand.UsageException("no such file: " + file);
        }
        return file;
    }

    private static void deleteTemp(Path temp) throws IOException {
        if (temp != null) {
            VectorIndex.deleteIndex(temp.resolve("index"));
            Files.deleteIfExists(temp);
        }
    }

    private void report(IndexBenchmark.Result r, String data, int queryCount) throws IOException {
        String recallField = "recall_at_" + k;
        if (!json) {
            System.out.printf(Locale.ROOT, "%,d vectors x %d dimensions, %s, %,d queries; m %d, ef_construction %d, %s%n",
                    r.vectors(), r.dimension(), data, queryCount, r.params().m(), r.params().efConstruction(),
                    r.params().int8() ? "int8" : "float32");
            System.out.printf(Locale.ROOT, "build: %,.0f vectors/s (%.1f s); force merge to one segment: %.1f s%n",
                    r.buildVectorsPerS(), r.buildSeconds(), r.forceMergeSeconds());
            System.out.printf(Locale.ROOT, "%-4s %-15s %-9s %-8s %-8s %-13s %-11s %-14s %-10s %-9s%n", "k", "num_candidates", "qps",
                    "p50_ms", "p99_ms", recallField, "lucene_qps", "lucene_p50_ms", "qps_ratio", "p50_ratio");
        }
        ObjectMapper mapper = new ObjectMapper();
        for (IndexBenchmark.Row row : r.rows()) {
            if (!json) {
                System.out.printf(Locale.ROOT, "%-4d %-15d %-9.1f %-8.3f %-8.3f %-13.4f %-11.1f %-14.3f %-10.3f %-9.3f%n", row.k(),
                        row.numCandidates(), row.qps(), row.index().p50Ms(), row.index().p99Ms(), row.recall(), row.luceneQps(),
                        row.lucene().p50Ms(), row.qpsRatio(), row.p50Ratio());
                continue;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bench", "index");
            out.put("data", data);
            out.put("vectors", r.vectors());
            out.put("dimension", r.dimension());
            out.put("queries", queryCount);
            out.put("m", r.params().m());
            out.put("ef_construction", r.params().efConstruction());
            out.put("int8", r.params().int8());
            out.put("build_vectors_per_s", round(r.buildVectorsPerS(), 1));
            out.put("force_merge_s", round(r.forceMergeSeconds(), 2));
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

    private static double round(double v, int digits) {
        double p = Math.pow(10, digits);
        return Math.round(v * p) / p;
    }
}
