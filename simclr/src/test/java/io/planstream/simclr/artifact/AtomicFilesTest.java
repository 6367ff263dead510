package io.planstream.simclr.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void shouldReplaceTheFileWholeAndLeaveNoTemporaryBehind() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path file = dir.resolve("state.json");
        AtomicFiles.writeJson(json, file, Map.of("step", 1));
        AtomicFiles.writeJson(json, file, Map.of("step", 2));
        assertThat(json.readTree(file.toFile()).get("step").asInt()).isEqualTo(2);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }
}
