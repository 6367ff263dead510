package io.planstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;

class TopicsTest {

    private static final Map<String, String> SERDES = Map.of("schema.registry.url", "http://127.0.0.1:9");
    private static final int MIB = 1024 * 1024;

    private static String maxMessageBytes(Topics topics, String topic) {
        return topics.specs().stream().filter(s -> s.name().equals(topic)).findFirst().orElseThrow()
                .configs().get("max.message.bytes");
    }

    @Test
    void shouldSizeTheImagesTopicFromTheUploadLimit() {
        Topics standard = Topics.create(SERDES, 3, (short) 1);
        assertThat(standard.imageMaxMessageBytes()).isEqualTo(11 * MIB);
        assertThat(maxMessageBytes(standard, TopicNames.IMAGES)).isEqualTo(String.valueOf(11 * MIB));

        Topics larger = Topics.create(SERDES, 3, (short) 1, 40L * MIB);
        assertThat(larger.imageMaxMessageBytes()).isEqualTo(41 * MIB);
        assertThat(maxMessageBytes(larger, TopicNames.IMAGES)).isEqualTo(String.valueOf(41 * MIB));
        assertThat(maxMessageBytes(larger, TopicNames.DEAD_LETTERS)).as("a refused images record travels whole")
                .isEqualTo(String.valueOf(41 * MIB));
        assertThat(maxMessageBytes(larger, TopicNames.MODEL_ARTIFACTS)).as("artifact chunks do not follow uploads")
                .isEqualTo(String.valueOf(Topics.ARTIFACT_MAX_MESSAGE_BYTES));
    }

    @Test
    void shouldLeaveRoomForTheLargestRecordOfAnUploadAtTheLimit() throws IOException {
        int limit = 2 * MIB;
        // The worst case the upload path lets through: the limit's bytes, an RPLAN rendering that does not
        // compress (256 x 256 x 4 bytes), 64 metadata fields of 64 + 1024 three-byte characters.
        Random random = new Random(1);
        byte[] original = new byte[limit];
        byte[] rendered = new byte[256 * 256 * 4];
        random.nextBytes(original);
        random.nextBytes(rendered);
        Map<String, String> metadata = new HashMap<>();
        for (int i = 0; i < 64; i++) {
            metadata.put(String.format("%064d", i), "\u20ac".repeat(1024));
        }
        ImageRecord record = ImageRecord.newBuilder().setId("i".repeat(128)).setContentType("image/png")
                .setFormat(ImageFormat.RPLAN).setOriginal(ByteBuffer.wrap(original)).setRendered(ByteBuffer.wrap(rendered))
                .setWidth(256).setHeight(256).setSource("s".repeat(64)).setFilename("f".repeat(255)).setSha256("0".repeat(64))
                .setUploadTime(Instant.now()).setMetadata(Map.copyOf(metadata)).build();
        // The registry's framing: a magic byte and a 4-byte schema id.
        int framed = 5 + avroBytes(record);
        assertThat(framed).isGreaterThan(limit + 400 * 1024).isLessThanOrEqualTo(Topics.imageMaxMessageBytes(limit));
    }

    @Test
    void shouldRefuseAnUploadLimitOutOfRange() {
        assertThatThrownBy(() -> Topics.imageMaxMessageBytes(0)).hasMessageContaining("upload limit").hasMessageContaining("got 0");
        assertThatThrownBy(() -> Topics.create(SERDES, 3, (short) 1, Integer.MAX_VALUE))
                .hasMessageContaining("got " + Integer.MAX_VALUE);
    }

    private static int avroBytes(ImageRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(ImageRecord.class).write(record, encoder);
        encoder.flush();
        return out.size();
    }
}
