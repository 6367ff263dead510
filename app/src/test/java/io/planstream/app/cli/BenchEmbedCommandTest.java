package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class BenchEmbedCommandTest {

    @Test
    void shouldDriveImagesThroughTheTopicsAndReportBothRates() throws Exception {
        CliRun r = CliRun.run("bench", "embed", "--encoder", "resnet-mini", "--size", "16", "--batch", "4",
                    "--images", "24", "--warmup", "8", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode row = new ObjectMapper().readTree(r.lastLine());
        assertThat(row.get("images").asInt()).isEqualTo(24);
        assertThat(row.get("warmup_images").asInt()).isEqualTo(8);
        assertThat(row.get("rounds").asInt()).isEqualTo(4);
        assertThat(row.get("pipeline_images_per_s").asDouble()).isPositive();
        assertThat(row.get("forward_images_per_s").asDouble()).isPositive();
    }

    @Test
    void shouldRefuseANegativeWarmup() {
        assertThat(PlanstreamCommand.execute("bench", "embed", "--batch", "4", "--images", "40", "--warmup", "-1")).isEqualTo(2);
    }

    @Test
    void shouldRefuseMoreRoundsThanBatches() {
        assertThat(PlanstreamCommand.execute("bench", "embed", "--batch", "4", "--images", "40", "--rounds", "11")).isEqualTo(2);
        assertThat(PlanstreamCommand.execute("bench", "embed", "--batch", "4", "--images", "40", "--rounds", "0")).isEqualTo(2);
    }

    @Test
    void shouldRefuseFewerImagesThanTwoBatches() {
        assertThat(PlanstreamCommand.execute("bench", "embed", "--batch", "32", "--images", "40")).isEqualTo(2);
    }
}
