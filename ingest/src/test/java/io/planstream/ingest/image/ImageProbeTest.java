package io.planstream.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageProbeTest {

    @Test
    void shouldSniffEachSupportedContainerFromItsMagicBytes() {
        assertThat(ImageProbe.sniff(TestImages.png(3, 2))).contains(ImageType.PNG);
        assertThat(ImageProbe.sniff(TestImages.jpeg(3, 2))).contains(ImageType.JPEG);
        assertThat(ImageProbe.sniff(TestImages.encode(TestImages.picture(3, 2, 1), "gif"))).contains(ImageType.GIF);
        assertThat(ImageProbe.sniff(TestImages.encode(TestImages.picture(3, 2, 1), "bmp"))).contains(ImageType.BMP);
        assertThat(ImageProbe.sniff(TestImages.encode(TestImages.picture(3, 2, 1), "tiff"))).contains(ImageType.TIFF);
        assertThat(ImageProbe.sniff(ascii("RIFF\0\0\0\0WEBPVP8 "))).contains(ImageType.WEBP);
    }

    @Test
    void shouldNotSniffTextOrNearMisses() {
        assertThat(ImageProbe.sniff(ascii("<html><body>hi</body></html>"))).isEmpty();
        // "BM" starts plenty of text; without a plausible DIB header size it is not a bitmap.
        assertThat(ImageProbe.sniff(ascii("BMW owners club newsletter, issue 4"))).isEmpty();
        assertThat(ImageProbe.sniff(ascii("RIFF\0\0\0\0WAVEfmt "))).isEmpty();
        assertThat(ImageProbe.sniff(Arrays.copyOf(TestImages.png(2, 2), 7))).isEmpty();
        assertThat(ImageProbe.sniff(new byte[0])).isEmpty();
        assertThat(ImageProbe.sniff(null)).isEmpty();
    }

    @Test
    void shouldReadPngSizeFromIhdrWithoutTouchingImageData() {
        // Decoding 50000x40000 RGB would need 6 GB; the header alone must answer instantly.
        ImageHeader header = ImageProbe.readHeader(TestImages.pngClaiming(50_000, 40_000));

        assertThat(header).isEqualTo(new ImageHeader(ImageType.PNG, 50_000, 40_000));
        assertThat(header.pixels()).isEqualTo(2_000_000_000L);
    }

    @Test
    void shouldReadJpegSizeFromFrameHeader() {
        assertThat(ImageProbe.readHeader(TestImages.jpeg(37, 21)))
                .isEqualTo(new ImageHeader(ImageType.JPEG, 37, 21));
    }

    @Test
    void shouldSkipThumbnailFrameHeadersInsideExifSegments() {
        byte[] jpeg = TestImages.jpeg(37, 21);
        // An APP1 segment whose payload holds a thumbnail's SOF0 claiming 16x16.
        byte[] app1 = {(byte) 0xFF, (byte) 0xE1, 0, 21, 'E', 'x', 'i', 'f', 0, 0,
            (byte) 0xFF, (byte) 0xC0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(app1);
        out.write(jpeg, 2, jpeg.length - 2);

        assertThat(ImageProbe.readHeader(out.toByteArray())).isEqualTo(new ImageHeader(ImageType.JPEG, 37, 21));
    }

    @Test
    void shouldNotTakeAThumbnailsEndMarkerForTheImagesEnd() {
        byte[] jpeg = TestImages.jpeg(64, 64);
        // An APP1 segment carrying a thumbnail's end-of-image marker, then the main image cut short.
        byte[] app1 = {(byte) 0xFF, (byte) 0xE1, 0, 8, 'E', 'x', 'i', 'f', (byte) 0xFF, (byte) 0xD9};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(app1);
        out.write(jpeg, 2, jpeg.length * 2 / 3);
        byte[] cut = out.toByteArray();

        assertThat(ImageProbe.readHeader(cut)).isEqualTo(new ImageHeader(ImageType.JPEG, 64, 64));
        assertThatThrownBy(() -> ImageProbe.requireComplete(cut, ImageType.JPEG))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo("truncated"));
        ImageProbe.requireComplete(jpeg, ImageType.JPEG);
    }

    @Test
    void shouldRequirePngChunksToReachIend() {
        byte[] png = TestImages.png(16, 16);
        ImageProbe.requireComplete(png, ImageType.PNG);

        assertThatThrownBy(() -> ImageProbe.requireComplete(Arrays.copyOf(png, png.length - 12), ImageType.PNG))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo("truncated"));
        assertThatThrownBy(() -> ImageProbe.requireComplete(Arrays.copyOf(png, png.length - 1), ImageType.PNG))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo("truncated"));
    }

    @Test
    void shouldReadOtherFormatsThroughTheImageIoHeader() {
        assertThat(ImageProbe.readHeader(TestImages.encode(TestImages.picture(13, 9, 3), "gif")))
                .isEqualTo(new ImageHeader(ImageType.GIF, 13, 9));
        assertThat(ImageProbe.readHeader(TestImages.encode(TestImages.picture(13, 9, 3), "bmp")))
                .isEqualTo(new ImageHeader(ImageType.BMP, 13, 9));
        // A bare BMP header with no pixels after it: the size is still read, nothing is decoded.
        assertThat(ImageProbe.readHeader(TestImages.bmpClaiming(20_000, 15_000)))
                .isEqualTo(new ImageHeader(ImageType.BMP, 20_000, 15_000));
    }

    @Test
    void shouldRejectPngCutInsideItsHeader() {
        assertThatThrownBy(() -> ImageProbe.readHeader(Arrays.copyOf(TestImages.png(4, 4), 20)))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo("truncated"));
    }

    @Test
    void shouldRejectPngWhoseIhdrFailsItsCrc() {
        byte[] png = TestImages.pngClaiming(100, 100);
        png[19] ^= 0x01; // low byte of the width

        assertThatThrownBy(() -> ImageProbe.readHeader(png))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("corrupt");
                    assertThat(e.getMessage()).contains("IHDR").contains("CRC");
                });
    }

    @Test
    void shouldRejectPngClaimingZeroWidth() {
        assertThatThrownBy(() -> ImageProbe.readHeader(TestImages.pngClaiming(0, 10)))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo("corrupt"));
    }

    @Test
    void shouldRejectJpegWithoutFrameHeader() {
        byte[] soiEoi = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9};

        assertThatThrownBy(() -> ImageProbe.readHeader(soiEoi))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo("corrupt"));
    }

    @Test
    void shouldRejectJpegCutBeforeItsFrameHeader() {
        byte[] jpeg = TestImages.jpeg(8, 8);
        int sof = TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC0});

        assertThatThrownBy(() -> ImageProbe.readHeader(Arrays.copyOf(jpeg, sof + 4)))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo("truncated"));
    }

    @Test
    void shouldRejectBytesWithNoKnownMagicAsNotAnImage() {
        assertThatThrownBy(() -> ImageProbe.readHeader(ascii("%PDF-1.7 ...")))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("not_an_image");
                    assertThat(e.getMessage()).contains("25 50 44 46");
                });
    }

    @Test
    void shouldReportUnsupportedFormatWhenNoWebpDecoderIsInstalled() {
        assumeFalse(ImageIO.getImageReadersByMIMEType("image/webp").hasNext(), "a WebP plugin is installed");

        assertThatThrownBy(() -> ImageProbe.readHeader(ascii("RIFF\0\0\0\0WEBPVP8 ")))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("unsupported_format");
                    assertThat(e.getMessage()).contains("image/webp");
                });
    }

    @Test
    void shouldNormaliseDeclaredContentTypes() {
        assertThat(ImageType.fromContentType("image/jpg")).contains(ImageType.JPEG);
        assertThat(ImageType.fromContentType(" Image/PNG ; charset=binary")).contains(ImageType.PNG);
        assertThat(ImageType.fromContentType("image/x-ms-bmp")).contains(ImageType.BMP);
        assertThat(ImageType.fromContentType("text/plain")).isEmpty();
        assertThat(ImageType.fromContentType(null)).isEmpty();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
