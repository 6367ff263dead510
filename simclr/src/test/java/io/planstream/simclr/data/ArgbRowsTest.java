package io.planstream.simclr.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArgbRowsTest {

    private static final int W = 37;
    private static final int H = 23;

    /** A picture of the given type with random pixels, alpha included where the type has it. */
    private static BufferedImage random(int type, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        BufferedImage img = type == BufferedImage.TYPE_BYTE_INDEXED ? indexed(r) : new BufferedImage(W, H, type);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.setRGB(x, y, r.nextInt());
            }
        }
        return img;
    }

    /** A 20-colour palette with two translucent entries, as a PNG of colour type 3 with a tRNS chunk decodes. */
    private static BufferedImage indexed(SplittableRandom r) {
        int[] palette = new int[20];
        for (int i = 0; i < palette.length; i++) {
            palette[i] = r.nextInt() | 0xFF000000;
        }
        palette[3] &= 0x80FFFFFF;
        palette[7] &= 0x00FFFFFF;
        return new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, palette.length, palette, 0, true, -1, DataBuffer.TYPE_BYTE));
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
            BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_BYTE_GRAY,
            BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_4BYTE_ABGR_PRE, BufferedImage.TYPE_USHORT_565_RGB})
    void shouldReadEveryRowAsGetRgbDoes(int type) {
        BufferedImage img = random(type, type);
        ArgbRows rows = new ArgbRows(img);
        int[] row = new int[W];
        int[] expected = new int[W];
        for (int y = 0; y < H; y++) {
            rows.read(y, row);
            img.getRGB(0, y, W, 1, expected, 0, W);
            assertThat(row).as("type %d row %d", type, y).containsExactly(expected);
        }
    }

    @Test
    void shouldReadTheLayoutsUploadsDecodeToWithoutGetRgb() throws IOException {
        for (int type : new int[] {BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB}) {
            assertThat(new ArgbRows(random(type, 1)).direct()).as("type %d", type).isTrue();
        }
        assertThat(new ArgbRows(random(BufferedImage.TYPE_BYTE_GRAY, 1)).direct()).isFalse();
        // what ImageIO makes of PNGs: RGB, RGBA and palette
        for (int type : new int[] {BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR}) {
            BufferedImage decoded = roundTrip(random(type, 2));
            assertThat(new ArgbRows(decoded).direct()).as("decoded PNG of type %d (now %d)", type, decoded.getType()).isTrue();
        }
    }

    @Test
    void shouldGiveThePlanesOfRowsReadByGetRgb() throws IOException {
        for (int type : new int[] {BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_RGB}) {
            BufferedImage img = roundTrip(random(type, 3));
            for (int channels : new int[] {1, 3}) {
                assertThat(ImageFolder.planes(img, channels)).as("type %d, %d channel(s)", type, channels)
                        .containsExactly(ImageFolder.planes(img, channels, (y, row) -> img.getRGB(0, y, img.getWidth(), 1, row, 0, img.getWidth())));
            }
        }
    }

    private static BufferedImage roundTrip(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, "png", out)).isTrue();
        return ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
    }
}
