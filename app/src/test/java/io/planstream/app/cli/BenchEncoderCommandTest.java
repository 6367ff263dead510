package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class BenchEncoderCommandTest {

    @Test
    void shouldReportRatesAsOneJsonLine() throws Exception {
        CliRun r = CliRun.run("bench", "encoder", "--encoder", "resnet-mini", "--size", "16", "--batch", "4",
                    "--iterations", "2", "--steps", "1", "--warmup", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode row = new ObjectMapper().readTree(r.lastLine());
        assertThat(row.get("encoder").asText()).isEqualTo("resnet-mini");
        assertThat(row.get("forward_images_per_s").asDouble()).isPositive();
        assertThat(row.get("folded_forward_images_per_s").asDouble()).isPositive();
        assertThat(row.get("s_per_step").asDouble()).isPositive();
        assertThat(row.get("matmul_gflop_per_s").asDouble()).isPositive();
        assertThat(row.get("gflop_per_image").asDouble()).isPositive();
    }

    @Test
    void shouldRefuseAnUnknownEncoderWithExitCode2() {
        assertThat(PlanstreamCommand.execute("bench", "encoder", "--encoder", "vgg16")).isEqualTo(2);
        assertThat(PlanstreamCommand.execute("bench", "encoder", "--batch", "1")).isEqualTo(2);
    }
}
