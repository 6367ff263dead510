package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class BenchEmbedCommandTest {

    @Test
    void shouldDriveImagesThroughTheTopicsAndReportBothRates() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = PlanstreamCommand.execute("bench", "embed", "--encoder", "resnet-mini", "--size", "16", "--batch", "4",
                    "--images", "24", "--json");
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        JsonNode row = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(row.get("images").asInt()).isEqualTo(24);
        assertThat(row.get("pipeline_images_per_s").asDouble()).isPositive();
        assertThat(row.get("forward_images_per_s").asDouble()).isPositive();
    }

    @Test
    void shouldRefuseFewerImagesThanTwoBatches() {
        assertThat(PlanstreamCommand.execute("bench", "embed", "--batch", "32", "--images", "40")).isEqualTo(2);
    }
}
