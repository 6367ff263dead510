package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.index.vectors.ClusteredVectors;
import io.planstream.index.vectors.Fvecs;

class BenchIndexCommandTest {

    @TempDir
    Path tmp;

    private static List<JsonNode> rows(CliRun r) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            if (line.startsWith("{")) {
                rows.add(new ObjectMapper().readTree(line));
            }
        }
        return rows;
    }

    @Test
    void shouldReportOneJsonRowPerNumCandidatesAndReproduceFromTheWrittenFiles() throws Exception {
        Path data = tmp.resolve("data");
        CliRun generated = CliRun.run("bench", "index", "--count", "600", "--dimension", "16", "--queries-count", "30",
                "--num-candidates", "10,60", "--rounds", "1", "--type", "hnsw", "--write-fvecs", data.toString(), "--json");
        assertThat(generated.code()).as(generated.err()).isZero();
        assertThat(generated.err()).contains("Lucene 10.");
        List<JsonNode> rows = rows(generated).stream().filter(r -> !r.has("summary")).toList();
        assertThat(rows).hasSize(2);
        JsonNode wide = rows.get(1);
        assertThat(wide.get("bench").asText()).isEqualTo("index");
        assertThat(wide.get("vectors").asInt()).isEqualTo(600);
        assertThat(wide.get("dimension").asInt()).isEqualTo(16);
        assertThat(wide.get("m").asInt()).isEqualTo(16);
        assertThat(wide.get("ef_construction").asInt()).isEqualTo(100);
        assertThat(wide.get("type").asText()).isEqualTo("hnsw");
        assertThat(wide.get("k").asInt()).isEqualTo(10);
        assertThat(wide.get("num_candidates").asInt()).isEqualTo(60);
        assertThat(wide.get("recall_at_10").asDouble()).isGreaterThan(0.9);
        for (String field : List.of("build_vectors_per_s", "build_s", "qps", "p50_ms", "p99_ms", "lucene_qps", "lucene_p50_ms", "qps_ratio", "p50_ratio")) {
            assertThat(wide.get(field).asDouble()).as(field).isPositive();
        }

        Path index = tmp.resolve("index");
        CliRun fromFiles = CliRun.run("bench", "index", "--vectors", data.resolve("vectors.fvecs").toString(),
                "--queries", data.resolve("queries.fvecs").toString(), "--num-candidates", "60", "--rounds", "1",
                "--type", "hnsw", "--build-threads", "1", "--dir", index.toString(), "--json");
        assertThat(fromFiles.code()).as(fromFiles.err()).isZero();
        JsonNode again = rows(fromFiles).get(0);
        // several build threads make different graphs; one thread on the same files, the same graph as a one-thread build
        assertThat(again.get("recall_at_10").asDouble()).isGreaterThan(0.9);
        assertThat(again.get("build_threads").asInt()).isEqualTo(1);
        assertThat(index).isDirectory();
    }

    @Test
    void shouldSummariseEveryIndexTypeAtTheTargetRecall() throws Exception {
        CliRun r = CliRun.run("bench", "index", "--count", "800", "--dimension", "32", "--queries-count", "20",
                "--num-candidates", "10,100", "--rounds", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> summaries = rows(r).stream().filter(n -> n.has("summary")).toList();
        assertThat(summaries).extracting(n -> n.get("type").asText())
                .containsExactly("hnsw", "int8_hnsw", "int4_hnsw", "bbq_hnsw");
        for (JsonNode n : summaries) {
            assertThat(n.get("min_recall").asDouble()).isEqualTo(0.95);
            assertThat(n.get("recall_at_10").asDouble()).as(n.toString()).isGreaterThanOrEqualTo(0.95);
            assertThat(n.get("qps").asDouble()).isPositive();
            assertThat(n.has("hnswlib_qps")).isFalse();
        }
    }

    @Test
    void shouldMeasureFilteredSearchesAgainstExactFilteredSearch() throws Exception {
        CliRun r = CliRun.run("bench", "index", "--count", "3000", "--dimension", "16", "--queries-count", "20",
                "--num-candidates", "100", "--rounds", "1", "--type", "hnsw", "--filter-selectivity", "0.5,0.1,0.01", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> filtered = rows(r).stream().filter(n -> n.has("filter_selectivity")).toList();
        assertThat(filtered).extracting(n -> n.get("filter_selectivity").asDouble()).containsExactly(0.5, 0.1, 0.01);
        for (JsonNode n : filtered) {
            assertThat(n.get("recall_at_10").asDouble()).as(n.toString()).isGreaterThanOrEqualTo(0.95);
            assertThat(n.get("qps").asDouble()).isPositive();
        }
        CliRun bad = CliRun.run("bench", "index", "--count", "50", "--filter-selectivity", "2");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("a filter selectivity must be between 0.001 and 1, got 2.0");
    }

    @Test
    void shouldMeasureHnswlibOnTheSameFilesInTheSameRun() throws Exception {
        assumeTrue(HnswlibPeerProbe.available(), HnswlibPeerProbe.REASON);
        CliRun r = CliRun.run("bench", "index", "--count", "1000", "--dimension", "16", "--queries-count", "30",
                "--num-candidates", "10,50", "--rounds", "2", "--type", "hnsw,int8_hnsw", "--peer", "hnswlib", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        // hnswlib is built once and measured beside each type, its passes taking turns with the type's
        for (String type : List.of("hnsw", "int8_hnsw")) {
            List<JsonNode> peer = rows(r).stream().filter(n -> n.has("peer") && n.get("beside").asText().equals(type)).toList();
            assertThat(peer).as(type).extracting(n -> n.get("ef").asInt()).containsExactly(10, 50);
            assertThat(peer.get(1).get("recall_at_10").asDouble()).isGreaterThan(0.9);
            assertThat(peer.get(1).get("build_s").asDouble()).isPositive();
            JsonNode summary = rows(r).stream().filter(n -> n.has("summary") && n.get("type").asText().equals(type))
                    .findFirst().orElseThrow();
            double fastest = peer.stream().filter(n -> n.get("recall_at_10").asDouble() >= 0.95)
                    .mapToDouble(n -> n.get("qps").asDouble()).max().orElseThrow();
            assertThat(summary.get("hnswlib_qps").asDouble()).isEqualTo(fastest);
            assertThat(summary.get("qps_vs_hnswlib").asDouble()).isPositive();
            assertThat(summary.get("build_vs_hnswlib").asDouble()).isPositive();
        }
        assertThat(r.err()).containsOnlyOnce("building: 1000 vectors x 16");
    }

    @Test
    void shouldPrintATable() {
        CliRun r = CliRun.run("bench", "index", "--count", "200", "--dimension", "8", "--queries-count", "10", "--k", "5",
                "--num-candidates", "5", "--rounds", "1", "--type", "int8_hnsw");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 vectors x 8 dimensions").contains("int8_hnsw")
                .contains("fastest at recall@5 >= 0.95")
                .contains("recall_at_5").contains("lucene_qps").contains("qps_ratio");
    }

    @Test
    void shouldRefuseBadInputWithUsageOrFailureCodes() throws Exception {
        Path vectors = tmp.resolve("v.fvecs");
        Path queries = tmp.resolve("q.fvecs");
        Fvecs.write(vectors, new ClusteredVectors(16, 3, 0.5, 1).sample(50, 2));
        Fvecs.write(queries, new ClusteredVectors(8, 3, 0.5, 1).sample(5, 2));

        CliRun mismatch = CliRun.run("bench", "index", "--vectors", vectors.toString(), "--queries", queries.toString());
        assertThat(mismatch.code()).isEqualTo(2);
        assertThat(mismatch.err()).contains("queries have 8 dimensions, the vectors 16");

        CliRun missing = CliRun.run("bench", "index", "--vectors", tmp.resolve("nope.fvecs").toString(), "--queries", queries.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");

        assertThat(PlanstreamCommand.execute("bench", "index", "--vectors", vectors.toString())).isEqualTo(2);
        CliRun kTooLarge = CliRun.run("bench", "index", "--count", "50", "--k", "10", "--num-candidates", "5");
        assertThat(kTooLarge.code()).isEqualTo(2);
        assertThat(kTooLarge.err()).contains("k must be at most numCandidates (5), got 10");
        assertThat(PlanstreamCommand.execute("bench", "index", "--count", "50", "--m", "0")).isEqualTo(2);
        CliRun badType = CliRun.run("bench", "index", "--count", "50", "--type", "hnsw,flat");
        assertThat(badType.code()).isEqualTo(2);
        assertThat(badType.err()).contains("index type must be one of [hnsw, int8_hnsw, int4_hnsw, bbq_hnsw], got 'flat'");
        CliRun badPeer = CliRun.run("bench", "index", "--count", "50", "--peer", "faiss");
        assertThat(badPeer.code()).isEqualTo(2);
        assertThat(badPeer.err()).contains("--peer must be hnswlib, got 'faiss'");

        try (RandomAccessFile f = new RandomAccessFile(vectors.toFile(), "rw")) {
            f.setLength(f.length() - 3);
        }
        Fvecs.write(queries, new ClusteredVectors(16, 3, 0.5, 1).sample(5, 2));
        CliRun truncated = CliRun.run("bench", "index", "--vectors", vectors.toString(), "--queries", queries.toString());
        assertThat(truncated.code()).isEqualTo(1);
        assertThat(truncated.err()).contains("truncated").contains("byte offset");
    }
}
