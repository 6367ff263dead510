package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ExportCommandTest {

    private static final int SIDE = 12;
    private static final int COUNT = 45;

    @TempDir
    static Path dir;

    private static String source;

    @BeforeAll
    static void writeIdxFiles() throws IOException {
        source = TinyIdx.source(dir, 30, COUNT, SIDE);
    }

    /** Three classes that light different quadrants: their pixels are apart, so the map must keep them apart. */
    @Test
    void shouldWriteProjectorFilesThatAgreeWithEachOtherAndAMapThatKeepsClassesApart() throws IOException {
        Path out = dir.resolve("export-pixels");
        CliRun r = CliRun.run("export", "--model", "pixels", "--data", source, "--out", out.toString(), "--perplexity", "10");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("exported 45 images").contains("5-NN accuracy");

        List<String> tensors = Files.readAllLines(out.resolve("tensors.tsv"));
        assertThat(tensors).hasSize(COUNT).allSatisfy(line -> {
            String[] values = line.split("\t");
            assertThat(values).hasSize(SIDE * SIDE);
            assertThat(Arrays.stream(values).mapToDouble(Double::parseDouble)).allSatisfy(v -> assertThat(v).isFinite());
        });
        List<String> metadata = Files.readAllLines(out.resolve("metadata.tsv"));
        assertThat(metadata).hasSize(COUNT + 1);
        assertThat(metadata.get(0)).isEqualTo("index\tlabel\tclass");
        assertThat(metadata.get(1)).matches("0\t[0-2]\t(T-shirt/top|Trouser|Pullover)");
        BufferedImage sprite = ImageIO.read(out.resolve("sprite.png").toFile());
        assertThat(sprite.getWidth()).isEqualTo(7 * SIDE).isEqualTo(sprite.getHeight());
        assertThat(Files.readString(out.resolve("projector_config.pbtxt")))
                .contains("tensor_path: \"tensors.tsv\"").contains("metadata_path: \"metadata.tsv\"")
                .contains("image_path: \"sprite.png\"").contains("single_image_dim: " + SIDE);
        assertThat(ImageIO.read(out.resolve("tsne.png").toFile()).getWidth()).isGreaterThan(800);
        JsonNode result = new ObjectMapper().readTree(out.resolve("export.json").toFile());
        assertThat(result.get("images").asInt()).isEqualTo(COUNT);
        assertThat(result.get("knn_top1_tsne_2d").asDouble()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void shouldExportARandomEncodersFeaturesAndRefuseBadUsage() throws IOException {
        Path out = dir.resolve("export-random");
        CliRun r = CliRun.run("export", "--model", "random:resnet-mini", "--data", source, "--out", out.toString(), "--limit", "20");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readAllLines(out.resolve("tensors.tsv"))).hasSize(20);
        assertThat(CliRun.run("export", "--model", "pixels", "--data", source, "--out", out.toString(), "--limit", "0").code()).isEqualTo(2);
        assertThat(CliRun.run("export", "--model", "pixels", "--data", source, "--out", out.toString(), "--split", "val").code()).isEqualTo(2);
        assertThat(CliRun.run("export", "--model", dir.resolve("missing").toString(), "--data", source, "--out", out.toString()).code())
                .isEqualTo(2);
    }
}
