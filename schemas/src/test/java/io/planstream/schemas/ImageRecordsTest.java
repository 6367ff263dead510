package io.planstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;

class ImageRecordsTest {

    private static final ByteBuffer ORIGINAL = ByteBuffer.wrap(new byte[] {1, 2, 3});
    private static final ByteBuffer RENDERED = ByteBuffer.wrap(new byte[] {4, 5});

    @Test
    void anRplanFileIsSeenThroughItsRenderedPicture() {
        assertThat(ImageRecords.picture(record(ImageFormat.RPLAN, RENDERED))).isEqualTo(RENDERED);
    }

    @Test
    void anRplanFileWithoutARenderingAndAnyOtherPictureAreSeenAsUploaded() {
        assertThat(ImageRecords.picture(record(ImageFormat.RPLAN, null))).isEqualTo(ORIGINAL);
        assertThat(ImageRecords.picture(record(ImageFormat.PICTURE, RENDERED))).isEqualTo(ORIGINAL);
    }

    private static ImageRecord record(ImageFormat format, ByteBuffer rendered) {
        return ImageRecord.newBuilder().setId("p").setContentType("image/png").setFormat(format)
                .setOriginal(ORIGINAL).setRendered(rendered).setWidth(1).setHeight(1).setSource("test").setSha256("p")
                .setUploadTime(Instant.ofEpochMilli(0)).setMetadata(Map.of()).build();
    }
}
