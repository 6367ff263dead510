package io.planstream.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.simclr.data.ImageDataset;

class EmbeddingExportTest {

    @Test
    void knnAccuracyCountsTheLeftOutPointsWhoseNeighboursShareTheirClass() {
        // Two clean clusters: every point's nearest neighbour is of its class.
        double[][] apart = {{0, 0}, {0, 1}, {10, 0}, {10, 1}};
        assertThat(EmbeddingExport.knnAccuracy(apart, new int[] {0, 0, 1, 1}, 1)).isEqualTo(1.0);
        // Labels crossed over the clusters: every nearest neighbour is of the other class.
        assertThat(EmbeddingExport.knnAccuracy(apart, new int[] {0, 1, 0, 1}, 1)).isEqualTo(0.0);
        // k = 3 over {0, 0.1, 0.2} (class 0) and 5 (class 1): the lone class-1 point is outvoted, the rest are right.
        double[][] line = {{0}, {0.1}, {0.2}, {5}};
        assertThat(EmbeddingExport.knnAccuracy(line, new int[] {0, 0, 0, 1}, 3)).isEqualTo(0.75);
        assertThat(EmbeddingExport.knnAccuracy(new double[][] {{1}}, new int[] {0}, 1)).isNaN();
    }

    @Test
    void theProjectorFilesDescribeEachOther(@TempDir Path dir) throws Exception {
        byte[] pixels = new byte[3 * 4 * 4];
        pixels[16] = (byte) 255;
        ImageDataset images = new ImageDataset("two", 1, 4, 4, pixels, new int[] {0, 1, 1}, List.of("one", "two"));
        Features features = new Features(new float[] {1, 0, 0.5f, 0.5f, 0, 1}, 3, 2, new int[] {0, 1, 1}, 2);

        int cell = EmbeddingExport.writeProjector(dir, features, images);

        assertThat(cell).isEqualTo(4);
        assertThat(Files.readAllLines(dir.resolve("tensors.tsv"))).containsExactly("1.0\t0.0", "0.5\t0.5", "0.0\t1.0");
        assertThat(Files.readAllLines(dir.resolve("metadata.tsv")))
                .containsExactly("index\tlabel\tclass", "0\t0\tone", "1\t1\ttwo", "2\t1\ttwo");
        BufferedImage sprite = ImageIO.read(dir.resolve("sprite.png").toFile());
        assertThat(sprite.getWidth()).isEqualTo(2 * cell);
        assertThat(sprite.getRGB(cell, 0) & 0xFFFFFF).as("the second image's first pixel").isEqualTo(0xFFFFFF);
        assertThat(Files.readString(dir.resolve("projector_config.pbtxt")))
                .contains("tensor_path: \"tensors.tsv\"", "metadata_path: \"metadata.tsv\"", "single_image_dim: 4");
    }
}
