package io.planstream.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.planstream.avro.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class UploadValidatorTest {

    private final UploadValidator validator = new UploadValidator(ImageLimits.defaults());

    @Test
    void shouldAcceptPngPictureAndReportSniffedTypeAndSize() {
        ValidatedImage image = validator.validate(TestImages.png(64, 48), null, null);

        assertThat(image.contentType()).isEqualTo("image/png");
        assertThat(image.width()).isEqualTo(64);
        assertThat(image.height()).isEqualTo(48);
        assertThat(image.format()).isEqualTo(ImageFormat.PICTURE);
        assertThat(image.image().getWidth()).isEqualTo(64);
        assertThat(image.rendered()).isEmpty();
        assertThat(image.metadata()).isEmpty();
    }

    @Test
    void shouldAcceptJpegDeclaredAsImageJpg() {
        ValidatedImage image = validator.validate(TestImages.jpeg(40, 30), "image/jpg", "picture");

        assertThat(image.contentType()).isEqualTo("image/jpeg");
        assertThat(image.width()).isEqualTo(40);
        assertThat(image.height()).isEqualTo(30);
    }

    @Test
    void shouldIgnoreContentTypeParametersCaseAndOctetStream() {
        byte[] png = TestImages.png(8, 8);

        assertThat(validator.validate(png, "IMAGE/PNG; charset=binary", null).contentType()).isEqualTo("image/png");
        assertThat(validator.validate(png, "application/octet-stream", null).contentType()).isEqualTo("image/png");
        assertThat(validator.validate(png, " ", null).contentType()).isEqualTo("image/png");
    }

    @Test
    void shouldAcceptGifAndBmpThroughImageIo() {
        ValidatedImage gif = validator.validate(TestImages.encode(TestImages.picture(20, 10, 5), "gif"), "image/gif", null);
        ValidatedImage bmp = validator.validate(TestImages.encode(TestImages.picture(20, 10, 5), "bmp"), null, null);

        assertThat(gif.contentType()).isEqualTo("image/gif");
        assertThat(gif.width()).isEqualTo(20);
        assertThat(bmp.contentType()).isEqualTo("image/bmp");
        assertThat(bmp.height()).isEqualTo(10);
    }

    @Test
    void shouldRejectEmptyBody() {
        assertRejected(() -> validator.validate(new byte[0], "image/png", null), "empty_body");
        assertRejected(() -> validator.validate(null, null, null), "empty_body");
    }

    @Test
    void shouldRejectBodyOverTheByteLimitNamingBothSizes() {
        UploadValidator small = new UploadValidator(new ImageLimits(100, 10_000, 10_000, 40_000_000));
        byte[] png = TestImages.png(32, 32);

        assertThatThrownBy(() -> small.validate(png, null, null))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("too_large");
                    assertThat(e.getMessage()).isEqualTo("the upload is " + png.length + " bytes, limit is 100");
                });
    }

    @Test
    void shouldRejectNonImageBytes() {
        assertRejected(() -> validator.validate("<html>not a plan</html>".getBytes(StandardCharsets.UTF_8), null, null),
                "not_an_image");
    }

    @Test
    void shouldSniffBeforeTrustingTheDeclaredType() {
        // Text declared as PNG is "not an image", not a "mismatch": the bytes decide.
        assertRejected(() -> validator.validate("hello".getBytes(StandardCharsets.UTF_8), "image/png", null),
                "not_an_image");
    }

    @Test
    void shouldRejectDeclaredContentTypeThatContradictsTheBytes() {
        assertThatThrownBy(() -> validator.validate(TestImages.png(8, 8), "image/jpeg", null))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("content_type_mismatch");
                    assertThat(e.getMessage()).isEqualTo("declared content type image/jpeg, but the bytes are image/png");
                });
        assertRejected(() -> validator.validate(TestImages.jpeg(8, 8), "text/plain; charset=utf-8", null),
                "content_type_mismatch");
    }

    @Test
    void shouldRejectPixelFloodFromTheHeaderBeforeDecoding() {
        assertThatThrownBy(() -> validator.validate(TestImages.pngClaiming(50_000, 50_000), "image/png", null))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("dimensions_too_large");
                    assertThat(e.getMessage()).isEqualTo("header claims 50000x50000 pixels (2500000000), limit is 40000000");
                });
    }

    @Test
    void shouldRejectJpegWhoseFrameHeaderClaimsHugeDimensions() {
        byte[] forged = TestImages.withJpegFrameSize(TestImages.jpeg(16, 16), 60_000, 60_000);

        assertThatThrownBy(() -> validator.validate(forged, null, null))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("dimensions_too_large");
                    assertThat(e.getMessage()).contains("60000x60000").contains("3600000000");
                });
    }

    @Test
    void shouldRejectBmpClaimingHugeDimensionsFromItsHeader() {
        assertRejected(() -> validator.validate(TestImages.bmpClaiming(20_000, 20_000), null, null),
                "dimensions_too_large");
    }

    @Test
    void shouldRejectOneSideOverItsLimitEvenWhenThePixelCountFits() {
        assertThatThrownBy(() -> validator.validate(TestImages.pngClaiming(10_001, 10), null, null))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("dimensions_too_large");
                    assertThat(e.getMessage()).contains("width 10001").contains("10000");
                });
        assertRejected(() -> validator.validate(TestImages.pngClaiming(10, 10_001), null, null), "dimensions_too_large");
    }

    @Test
    void shouldApplyConfiguredPixelLimit() {
        UploadValidator tight = new UploadValidator(new ImageLimits(1_000_000, 1_000, 1_000, 1_000));

        assertRejected(() -> tight.validate(TestImages.png(40, 30), null, null), "dimensions_too_large");
        assertThat(tight.validate(TestImages.png(40, 25), null, null).width()).isEqualTo(40);
    }

    @Test
    void shouldCheckDimensionsBeforeCompleteness() {
        byte[] bomb = TestImages.pngClaiming(50_000, 50_000);
        byte[] withoutIend = Arrays.copyOf(bomb, bomb.length - 12);

        assertRejected(() -> validator.validate(withoutIend, null, null), "dimensions_too_large");
    }

    @Test
    void shouldRejectTruncatedPng() {
        byte[] png = TestImages.png(64, 64);

        assertRejected(() -> validator.validate(Arrays.copyOf(png, png.length / 2), "image/png", null), "truncated");
    }

    @Test
    void shouldRejectPngMissingIendEvenThoughImageIoDecodesIt() throws IOException {
        byte[] png = TestImages.png(64, 64);
        byte[] withoutIend = Arrays.copyOf(png, png.length - 12);
        // The gap this check closes: ImageIO returns a complete-looking image.
        assertThat(ImageIO.read(new ByteArrayInputStream(withoutIend))).isNotNull();

        assertThatThrownBy(() -> validator.validate(withoutIend, null, null))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("truncated");
                    assertThat(e.getMessage()).contains("IEND");
                });
    }

    @Test
    void shouldRejectTruncatedJpegThatImageIoOnlyWarnsAbout() throws IOException {
        byte[] jpeg = TestImages.jpeg(64, 64);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
        // ImageIO pads the missing rows with grey and returns normally.
        assertThat(ImageIO.read(new ByteArrayInputStream(cut))).isNotNull();

        assertRejected(() -> validator.validate(cut, "image/jpeg", null), "truncated");
    }

    @Test
    void shouldRejectJpegMissingOnlyItsEndMarker() {
        byte[] jpeg = TestImages.jpeg(32, 32);

        assertRejected(() -> validator.validate(Arrays.copyOf(jpeg, jpeg.length - 2), null, null), "truncated");
    }

    @Test
    void shouldRejectJpegWhoseScanDataStopsShortOfItsEndMarker() {
        // Structurally whole (the EOI is there), but the decoder runs out of scan data and only
        // warns: the warning listener is what catches this one.
        byte[] jpeg = TestImages.jpeg(64, 64);
        byte[] shortened = Arrays.copyOf(jpeg, jpeg.length * 2 / 3 + 2);
        shortened[shortened.length - 2] = (byte) 0xFF;
        shortened[shortened.length - 1] = (byte) 0xD9;

        assertThatThrownBy(() -> validator.validate(shortened, null, null))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("truncated");
                    assertThat(e.getMessage()).containsIgnoringCase("premature end");
                });
    }

    @Test
    void shouldRejectTruncatedGifAndBmpThroughTheirDecoders() {
        byte[] gif = TestImages.encode(TestImages.picture(64, 64, 9), "gif");
        byte[] bmp = TestImages.encode(TestImages.picture(64, 64, 9), "bmp");

        assertRejected(() -> validator.validate(Arrays.copyOf(bmp, bmp.length / 2), null, null), "truncated");
        // The GIF reader words running out of data as "Invalid block length for LZW encoded image
        // data", indistinguishable from damage, so a cut GIF is refused as corrupt.
        assertRejected(() -> validator.validate(Arrays.copyOf(gif, gif.length / 2), null, null), "corrupt");
    }

    @Test
    void shouldAcceptJpegWithPaddingAfterItsEndMarker() {
        byte[] jpeg = TestImages.jpeg(32, 32);

        assertThat(validator.validate(Arrays.copyOf(jpeg, jpeg.length + 16), null, null).width()).isEqualTo(32);
    }

    @Test
    void shouldRejectPngWhoseImageDataFailsItsCrc() {
        byte[] png = TestImages.png(32, 32);
        int idat = TestImages.indexOf(png, "IDAT".getBytes(StandardCharsets.US_ASCII));
        png[idat + 10] ^= 0x55;

        assertThatThrownBy(() -> validator.validate(png, null, null))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("corrupt");
                    assertThat(e.getMessage()).contains("IDAT").contains("CRC");
                });
    }

    @Test
    void shouldRejectPngWhoseImageDataDoesNotInflate() {
        // Valid chunk structure and CRCs around garbage zlib data: only the decoder can tell.
        byte[] header = Arrays.copyOf(TestImages.pngClaiming(16, 16), 33);
        byte[] garbage = new byte[40];
        Arrays.fill(garbage, (byte) 0xA5);
        byte[] png = concat(header, TestImages.chunk("IDAT", garbage), TestImages.chunk("IEND", new byte[0]));

        assertRejected(() -> validator.validate(png, null, null), "corrupt");
    }

    @Test
    void shouldRejectJpegWithGarbageWhereAMarkerShouldBe() {
        byte[] jpeg = TestImages.jpeg(16, 16);
        jpeg[TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xDB})] = 0x12; // the DQT marker

        assertRejected(() -> validator.validate(jpeg, null, null), "corrupt");
    }

    @Test
    void shouldRecogniseRplanSampleAndRenderIt() throws IOException {
        ValidatedImage image = validator.validate(TestImages.rplanSample("0.png"), "image/png", null);

        assertThat(image.format()).isEqualTo(ImageFormat.RPLAN);
        assertThat(image.width()).isEqualTo(256);
        assertThat(image.metadata()).containsEntry("rooms.total", "6").containsEntry("rooms.bedroom", "2");
        BufferedImage rendered = ImageIO.read(new ByteArrayInputStream(image.rendered().orElseThrow()));
        assertThat(rendered.getWidth()).isEqualTo(256);
        assertThat(rendered.getColorModel().hasAlpha()).isFalse();
        assertThat(rendered.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    }

    @Test
    void shouldAcceptRplanDeclaredAsRplanInAnyCase() {
        assertThat(validator.validate(TestImages.rplanSample("example.png"), null, "RPLAN").format())
                .isEqualTo(ImageFormat.RPLAN);
    }

    @Test
    void shouldKeepRplanFileAsPictureWhenDeclaredPicture() {
        ValidatedImage image = validator.validate(TestImages.rplanSample("0.png"), null, "picture");

        assertThat(image.format()).isEqualTo(ImageFormat.PICTURE);
        assertThat(image.rendered()).isEmpty();
        assertThat(image.metadata()).isEmpty();
    }

    @Test
    void shouldRejectOrdinaryPictureDeclaredAsRplan() {
        assertRejected(() -> validator.validate(TestImages.png(256, 256), null, "rplan"), "not_rplan");
        assertRejected(() -> validator.validate(TestImages.png(100, 100), null, "rplan"), "not_rplan");
        assertRejected(() -> validator.validate(TestImages.jpeg(256, 256), null, "rplan"), "not_rplan");
    }

    @Test
    void shouldNotMistakeOrdinary256PixelPngForRplan() {
        assertThat(validator.validate(TestImages.png(256, 256), null, null).format()).isEqualTo(ImageFormat.PICTURE);
    }

    @Test
    void shouldRejectUnknownDeclaredFormat() {
        assertThatThrownBy(() -> validator.validate(TestImages.png(8, 8), null, "svg"))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_format");
                    assertThat(e.getMessage()).contains("'svg'");
                });
    }

    private static void assertRejected(ThrowingCallable call, String code) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        return all;
    }
}
