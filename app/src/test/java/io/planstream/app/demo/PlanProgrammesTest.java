package io.planstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The room programmes {@link PlanProgrammes} reads from the generator's attributes file. */
class PlanProgrammesTest {

    @Test
    void shouldReadRoomProgrammesWithoutTheTotal(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("attributes.jsonl"), """
                {"file":"plan-000000.png","rooms":{"living_room":1,"bedroom":2,"total":3}}
                {"file":"plan-000001.png","rooms":{"living_room":1}}
                """);
        PlanProgrammes programmes = PlanProgrammes.read(dir);
        assertThat(programmes.of(List.of("plan-000001.png", "plan-000000.png")))
                .containsExactly(Map.of("living_room", 1), Map.of("living_room", 1, "bedroom", 2));
        assertThatThrownBy(() -> programmes.of(List.of("plan-000002.png"))).isInstanceOf(IOException.class)
                .hasMessageContaining("no line for plan-000002.png");
        Files.writeString(dir.resolve("attributes.jsonl"), "{\"file\":\"a.png\",\"rooms\":{\"bedroom\":-1}}\n");
        assertThatThrownBy(() -> PlanProgrammes.read(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("rooms.bedroom");
        assertThatThrownBy(() -> PlanProgrammes.read(dir.resolve("none"))).isInstanceOf(IOException.class)
                .hasMessageContaining("has no attributes.jsonl");
    }
}
