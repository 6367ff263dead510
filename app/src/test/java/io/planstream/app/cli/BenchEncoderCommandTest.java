package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class BenchEncoderCommandTest {

    @Test
    void shouldReportRatesAsOneJsonLine() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = PlanstreamCommand.execute("bench", "encoder", "--encoder", "resnet-mini", "--size", "16", "--batch", "4",
                    "--iterations", "2", "--steps", "1", "--warmup", "1", "--json");
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        JsonNode row = new ObjectMapper().readTree(lines[lines.length - 1]);
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
