package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
                "--num-candidates", "10,60", "--rounds", "1", "--write-fvecs", data.toString(), "--json");
        assertThat(generated.code()).as(generated.err()).isZero();
        List<JsonNode> rows = rows(generated);
        assertThat(rows).hasSize(2);
        JsonNode wide = rows.get(1);
        assertThat(wide.get("bench").asText()).isEqualTo("index");
        assertThat(wide.get("vectors").asInt()).isEqualTo(600);
        assertThat(wide.get("dimension").asInt()).isEqualTo(16);
        assertThat(wide.get("m").asInt()).isEqualTo(16);
        assertThat(wide.get("ef_construction").asInt()).isEqualTo(100);
        assertThat(wide.get("int8").asBoolean()).isFalse();
        assertThat(wide.get("k").asInt()).isEqualTo(10);
        assertThat(wide.get("num_candidates").asInt()).isEqualTo(60);
        assertThat(wide.get("recall_at_10").asDouble()).isGreaterThan(0.9);
        for (String field : List.of("build_vectors_per_s", "qps", "p50_ms", "p99_ms", "lucene_qps", "lucene_p50_ms", "qps_ratio", "p50_ratio")) {
            assertThat(wide.get(field).asDouble()).as(field).isPositive();
        }

        Path index = tmp.resolve("index");
        CliRun fromFiles = CliRun.run("bench", "index", "--vectors", data.resolve("vectors.fvecs").toString(),
                "--queries", data.resolve("queries.fvecs").toString(), "--num-candidates", "60", "--rounds", "1",
                "--dir", index.toString(), "--json");
        assertThat(fromFiles.code()).as(fromFiles.err()).isZero();
        JsonNode again = new ObjectMapper().readTree(fromFiles.lastLine());
        assertThat(again.get("recall_at_10").asDouble()).isEqualTo(wide.get("recall_at_10").asDouble());
        assertThat(index).isDirectory();
    }

    @Test
    void shouldPrintATable() {
        CliRun r = CliRun.run("bench", "index", "--count", "200", "--dimension", "8", "--queries-count", "10", "--k", "5",
                "--num-candidates", "5", "--rounds", "1", "--int8");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 vectors x 8 dimensions").contains("int8")
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

        try (RandomAccessFile f = new RandomAccessFile(vectors.toFile(), "rw")) {
            f.setLength(f.length() - 3);
        }
        Fvecs.write(queries, new ClusteredVectors(16, 3, 0.5, 1).sample(5, 2));
        CliRun truncated = CliRun.run("bench", "index", "--vectors", vectors.toString(), "--queries", queries.toString());
        assertThat(truncated.code()).isEqualTo(1);
        assertThat(truncated.err()).contains("truncated").contains("byte offset");
    }
}
