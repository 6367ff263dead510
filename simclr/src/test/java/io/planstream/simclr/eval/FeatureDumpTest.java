package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureDumpTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadBackExactlyWhatItWrote() throws IOException {
        Features f = new Features(new float[] {0.1f, -2.5e-8f, 3f, Float.MAX_VALUE, 1f / 3, -0f}, 3, 2, new int[] {2, 0, 1}, 3);
        Path csv = dir.resolve("sub/features.csv");
        FeatureDump.write(csv, f);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("label,f0,f1");
        assertThat(lines.get(1)).isEqualTo("2,0.1,-2.5E-8");
        assertThat(FeatureDump.read(csv, 3)).isEqualTo(f);
    }

    @Test
    void shouldCompressWhenTheNameEndsInGz() throws IOException {
        Features f = Synthetic.clusters(20, 3, 5, 2, 1);
        Path gz = dir.resolve("features.csv.gz");
        FeatureDump.write(gz, f);
        byte[] head = Files.readAllBytes(gz);
        assertThat(head[0] & 0xFF).isEqualTo(0x1F);
        assertThat(head[1] & 0xFF).isEqualTo(0x8B);
        assertThat(FeatureDump.read(gz, 0)).isEqualTo(f);
    }

    @Test
    void shouldNameTheLineThatDoesNotFit() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "label,f0,f1\n1,0.5,0.25\n0,0.5\n");
        assertThatThrownBy(() -> FeatureDump.read(csv, 0)).hasMessageContaining("line 3");
    }
}
