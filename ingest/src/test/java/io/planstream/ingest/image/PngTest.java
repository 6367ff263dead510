package io.planstream.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTest {

    @Test
    void shouldRoundTripEveryRgbaSampleExactly() throws IOException {
        // RPLAN channels are data, not colour: any change to a sample value would change the plan.
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_4BYTE_ABGR);
        SplittableRandom random = new SplittableRandom(42);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                int alpha = random.nextBoolean() ? 0 : 255;
                image.getRaster().setPixel(x, y, new int[] {random.nextInt(256), random.nextInt(256), random.nextInt(256), alpha});
            }
        }

        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Png.encode(image)));

        assertThat(decoded.getRaster().getNumBands()).isEqualTo(4);
        assertThat(decoded.getRaster().getPixels(0, 0, 40, 30, (int[]) null))
                .isEqualTo(image.getRaster().getPixels(0, 0, 40, 30, (int[]) null));
    }

    @Test
    void shouldEncodeTheSamePixelsToTheSameBytes() {
        BufferedImage image = TestImages.picture(50, 20, 3);

        assertThat(Png.encode(image)).isEqualTo(Png.encode(TestImages.picture(50, 20, 3)));
        assertThat(ImageProbe.sniff(Png.encode(image))).contains(ImageType.PNG);
    }
}
