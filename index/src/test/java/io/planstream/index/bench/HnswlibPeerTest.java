package io.planstream.index.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** hnswlib's passes combined into one row, and the script's lines read. */
class HnswlibPeerTest {

    @Test
    void shouldCombinePassesIntoTheRateOfAllOfThemAndTheMedianLatencies() {
        // 1,000 queries at 1,000/s take 1 s, at 3,000/s 1/3 s: 2,000 queries in 4/3 s are 1,500/s, not the mean 2,000.
        HnswlibPeer.Row row = HnswlibPeer.Row.combine(List.of(new HnswlibPeer.Row(24, 1000, 0.1, 0.5, 0.96),
                new HnswlibPeer.Row(24, 3000, 0.3, 0.9, 0.96)));
        assertThat(row.ef()).isEqualTo(24);
        assertThat(row.qps()).isCloseTo(1500, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(row.p50Ms()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(row.p99Ms()).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(row.recall()).isEqualTo(0.96);

        HnswlibPeer.Row three = HnswlibPeer.Row.combine(List.of(new HnswlibPeer.Row(8, 100, 0.5, 2, 0.9),
                new HnswlibPeer.Row(8, 100, 0.1, 9, 0.9), new HnswlibPeer.Row(8, 100, 0.2, 1, 0.9)));
        assertThat(three.qps()).isCloseTo(100, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(three.p50Ms()).isEqualTo(0.2);
        assertThat(three.p99Ms()).isEqualTo(2);

        assertThatThrownBy(() -> HnswlibPeer.Row.combine(List.of())).hasMessageContaining("no passes");
        assertThatThrownBy(() -> HnswlibPeer.Row.combine(List.of(new HnswlibPeer.Row(8, 1, 1, 1, 1), new HnswlibPeer.Row(9, 1, 1, 1, 1))))
                .hasMessageContaining("different ef");
    }

    @Test
    void shouldReadTheBuildAndSearchLinesAndRefuseOthers() throws Exception {
        HnswlibPeer.Build build = HnswlibPeer.parseBuild("{\"peer\": \"hnswlib\", \"phase\": \"build\", \"vectors\": 1000, "
                + "\"dimension\": 16, \"build_threads\": 2, \"build_s\": 0.25}");
        assertThat(build).isEqualTo(new HnswlibPeer.Build(1000, 16, 2, 0.25));
        HnswlibPeer.Row row = HnswlibPeer.parseRow("{\"phase\": \"search\", \"k\": 10, \"ef\": 20, \"qps\": 1234.5, "
                + "\"p50_ms\": 0.05, \"p99_ms\": 0.1, \"recall_at_10\": 0.95}", 10);
        assertThat(row).isEqualTo(new HnswlibPeer.Row(20, 1234.5, 0.05, 0.1, 0.95));
        assertThatThrownBy(() -> HnswlibPeer.parseRow("{\"phase\": \"build\"}", 10)).hasMessageContaining("expected a search line");
        assertThatThrownBy(() -> HnswlibPeer.parseBuild("Traceback (most recent call last):"))
                .hasMessageContaining("unexpected line from hnswlib_bench.py");
    }
}
