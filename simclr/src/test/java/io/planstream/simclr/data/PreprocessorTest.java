package io.planstream.simclr.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDManager;

import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.eval.ImagePreprocessor;
import io.planstream.simclr.model.Normalization;

/** Serving and training give the encoder what the evaluation gives it for the same picture. */
class PreprocessorTest {

    private static final float TOLERANCE = 1e-5f;

    @Test
    void shouldMatchTheEvaluationInputOfALargerNonSquarePicture() throws Exception {
        BufferedImage picture = drawing(150, 96, 1);
        float[] embedder = new Preprocessor(32, 3).apply(bytesOf(png(picture)));
        assertThat(embedder).hasSize(3 * 32 * 32);
        assertClose(embedder, evaluation(picture, 3, 32, 3));
    }

    @Test
    void shouldMatchTheEvaluationInputInGreyAndWhenEnlarging() throws Exception {
        BufferedImage picture = drawing(20, 27, 2);
        // A grey encoder on a colour picture: luma of the resized planes, as the evaluation computes it.
        assertClose(new Preprocessor(24, 1).apply(bytesOf(png(picture))), evaluation(picture, 3, 24, 1));
        assertClose(new Preprocessor(48, 3).apply(bytesOf(png(picture))), evaluation(picture, 3, 48, 3));
    }

    @Test
    void shouldBeWhatAPictureFolderHoldsUpToItsByteRounding(@TempDir Path dir) throws Exception {
        byte[] file = png(drawing(90, 70, 3));
        Files.write(dir.resolve("plan.png"), file);
        ImageDataset folder = ImageFolder.load(dir, 32, 3);
        float[] embedder = new Preprocessor(32, 3).apply(bytesOf(file));
        assertThat(folder.pixels()).hasSameSizeAs(embedder);
        for (int i = 0; i < embedder.length; i++) {
            assertThat(Math.abs((folder.pixels()[i] & 0xFF) / 255f - embedder[i])).isLessThanOrEqualTo(0.5f / 255 + TOLERANCE);
        }
    }

    @Test
    void shouldLayTransparentPixelsOverWhite() throws Exception {
        BufferedImage picture = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
        float[] x = new Preprocessor(8, 3).apply(bytesOf(png(picture)));
        for (float v : x) {
            assertThat(v).isCloseTo(1f, within(TOLERANCE));
        }
    }

    @Test
    void shouldSayWhatCannotBeDecoded() {
        assertThatThrownBy(() -> new Preprocessor(32, 3).apply(bytesOf(new byte[] {1, 2, 3})))
                .isInstanceOf(PreprocessException.class)
                .satisfies(e -> assertThat(((PreprocessException) e).stage()).isEqualTo("decode"));
    }

    /** The evaluation path: the picture at its own size as a dataset, resized on the device, normalisation left out. */
    private static float[] evaluation(BufferedImage picture, int datasetChannels, int size, int encoderChannels) {
        byte[] pixels = ImageFolder.toChw(picture, datasetChannels);
        ImageDataset data = new ImageDataset("one", datasetChannels, picture.getHeight(), picture.getWidth(), pixels, new int[] {0},
                List.of("a"));
        float[] zero = new float[encoderChannels];
        float[] one = new float[encoderChannels];
        Arrays.fill(one, 1f);
        try (NDManager m = SimClrEngine.get().newBaseManager()) {
            return new ImagePreprocessor(encoderChannels, size, new Normalization(zero, one)).batch(data, new int[] {0}, m).toFloatArray();
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("largest difference").isLessThan(TOLERANCE);
    }

    private static BufferedImage drawing(int width, int height, int seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        Random r = new Random(seed);
        for (int i = 0; i < 12; i++) {
            g.setColor(new Color(r.nextInt(0xFFFFFF)));
            g.fillRect(r.nextInt(width), r.nextInt(height), 1 + r.nextInt(width / 2), 1 + r.nextInt(3));
        }
        g.dispose();
        return img;
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static ByteBuffer bytesOf(byte[] picture) {
        return ByteBuffer.wrap(picture);
    }
}
