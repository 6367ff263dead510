package io.planstream.ingest.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.planstream.ingest.image.Rplan;
import io.planstream.ingest.image.RoomCounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BulkGenerationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FloorPlanGenerator generator = new FloorPlanGenerator();

    @TempDir
    Path dir;

    @Test
    void shouldWriteNumberedPngsAndOneAttributesLinePerPlan() throws IOException {
        List<Integer> progress = new ArrayList<>();

        GenerationResult result = generator.generate(5, dir.resolve("out"), 42L, progress::add);

        Path out = dir.resolve("out");
        assertThat(result.count()).isEqualTo(5);
        assertThat(result.attributes()).isEqualTo(out.resolve("attributes.jsonl"));
        assertThat(out.resolve("plan-000000.png")).isRegularFile();
        assertThat(out.resolve("plan-000004.png")).isRegularFile();
        assertThat(out.resolve("plan-000005.png")).doesNotExist();
        assertThat(progress).containsExactly(1, 2, 3, 4, 5);

        List<String> lines = Files.readAllLines(result.attributes(), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(5);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            String file = String.format("plan-%06d.png", i);
            assertThat(line.get("file").asText()).isEqualTo(file);
            assertThat(line.get("id").asText()).isEqualTo(String.format("plan-%06d", i));

            // The recorded seed redraws the same plan, and the file's pixels agree with the line.
            GeneratedPlan redrawn = generator.generate(line.get("seed").asLong());
            assertThat(Files.readAllBytes(out.resolve(file))).isEqualTo(redrawn.png());
            RoomCounts counted = Rplan.countRooms(FloorPlanGeneratorTest.decode(redrawn.png()));
            assertThat(line.get("rooms_total").asInt()).isEqualTo(counted.total());
            assertThat(line.get("bedrooms").asInt()).isEqualTo(counted.bedrooms());
            counted.byCategory().forEach((category, n) ->
                    assertThat(line.get("rooms").get(category.key()).asInt()).as(category.key()).isEqualTo(n));
            assertThat(line.get("outline").asText()).isEqualTo(redrawn.outline().key());
            assertThat(line.get("area").asInt()).isEqualTo(redrawn.area()).isPositive();
        }
    }

    @Test
    void shouldWriteByteIdenticalFilesForTheSameSeed() throws IOException {
        generator.generate(4, dir.resolve("a"), 7L, GenerationProgress.none());
        generator.generate(4, dir.resolve("b"), 7L, GenerationProgress.none());
        generator.generate(4, dir.resolve("c"), 8L, GenerationProgress.none());

        for (String name : fileNames(dir.resolve("a"))) {
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(name))).as(name)
                    .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(name)));
        }
        assertThat(fileNames(dir.resolve("a"))).hasSize(5);
        assertThat(Files.readAllBytes(dir.resolve("c").resolve("plan-000000.png")))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("a").resolve("plan-000000.png")));
        assertThat(Files.readString(dir.resolve("c").resolve("attributes.jsonl")))
                .isNotEqualTo(Files.readString(dir.resolve("a").resolve("attributes.jsonl")));
    }

    @Test
    void shouldRejectCountsOutsideTheBound() {
        assertThatThrownBy(() -> generator.generate(0, dir, 1L, GenerationProgress.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> generator.generate(10_000_001, dir, 1L, GenerationProgress.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10000000");
    }

    private static List<String> fileNames(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
