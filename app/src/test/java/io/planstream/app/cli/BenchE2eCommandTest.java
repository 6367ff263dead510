package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** How {@code bench e2e} reads a waitFor=searchable answer and sums up the stages. */
class BenchE2eCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SENT = 1_765_000_000_000L;

    private static JsonNode answer(boolean timedOut, String status) throws Exception {
        return JSON.readTree("""
                {"id": "a", "status": "%s", "waited": {"waitFor": "searchable", "timedOut": %s, "waitedMs": 90},
                 "versions": [
                   {"version": 2, "active": false, "indexed": true, "timeline": {"accepted": "2025-12-06T05:46:40.010Z",
                     "embedded": "2025-12-06T05:46:40.900Z", "indexed": "2025-12-06T05:46:40.950Z", "searchable": "2025-12-06T05:46:40.990Z"}},
                   {"version": 1, "active": true, "indexed": true, "timeline": {"accepted": "2025-12-06T05:46:40.010Z",
                     "embedded": "2025-12-06T05:46:40.040Z", "indexed": "2025-12-06T05:46:40.070Z", "searchable": "2025-12-06T05:46:40.080Z"}}
                 ]}""".formatted(status, timedOut));
    }

    @Test
    void shouldTakeTheActiveVersionsStampsAsTimeSinceTheUploadWasSent() throws Exception {
        BenchE2eCommand.Timeline t = BenchE2eCommand.timeline(answer(false, "indexed"), SENT, 12.5, 95.0);
        // 2025-12-06T05:46:40Z is SENT: the stamps are 40, 70 and 80 ms after it (version 2's are ignored).
        assertThat(t.ms()).containsExactly(12.5, 40.0, 70.0, 80.0, 95.0);
    }

    @Test
    void shouldCountAWaitThatTimedOutAsNotSearchable() throws Exception {
        assertThat(BenchE2eCommand.timeline(answer(true, "accepted"), SENT, 12.5, 95.0)).isNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReportEachStagesPercentilesAndTheLost() {
        BenchE2eCommand e2e = new BenchE2eCommand();
        e2e.rate = 10;
        e2e.duration = 1;
        BenchE2eCommand.Timeline[] timelines = new BenchE2eCommand.Timeline[4];
        for (int i = 0; i < 3; i++) {
            timelines[i] = new BenchE2eCommand.Timeline(new double[] {10 + i, 20 + i, 30 + i, Double.NaN, 50 + 10 * i});
        }
        Map<String, Object> row = e2e.report(timelines, 4, "http://x");
        assertThat(row).containsEntry("searchable", 3).containsEntry("lost", 1).containsEntry("p50_ms", 60.0).containsEntry("p99_ms", 70.0);
        Map<String, Map<String, Double>> stages = (Map<String, Map<String, Double>>) row.get("stages");
        assertThat(stages.keySet()).containsExactly("accepted", "embedded", "indexed", "searchable", "answered");
        assertThat(stages.get("embedded")).containsEntry("p50_ms", 21.0).containsEntry("max_ms", 22.0);
        assertThat(stages.get("searchable").get("p50_ms")).as("a stage no answer stamped").isNull();
    }

    @Test
    void shouldWriteEveryMeasuredUploadsStagesAndDrawThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        BenchE2eCommand.Timeline[] timelines = {
            new BenchE2eCommand.Timeline(new double[] {10, 20, 30, 40, 50}),
            null,
            new BenchE2eCommand.Timeline(new double[] {11, 900, Double.NaN, 950, 960})};
        long[] sent = {SENT, SENT + 20, SENT + 1_540};
        E2eTimelineFiles.write(dir.resolve("t"), sent, timelines, "test");
        java.util.List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("t").resolve(E2eTimelineFiles.CSV));
        assertThat(lines).containsExactly(
                "upload,sent_s,accepted_ms,embedded_ms,indexed_ms,searchable_ms,answered_ms",
                "0,0.000,10.000,20.000,30.000,40.000,50.000",
                "1,0.020,,,,,",
                "2,1.540,11.000,900.000,,950.000,960.000");
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve("t").resolve(E2eTimelineFiles.PNG).toFile());
        assertThat(png.getWidth()).isEqualTo(1000);
        assertThat(png.getHeight()).isEqualTo(520);
    }
}
