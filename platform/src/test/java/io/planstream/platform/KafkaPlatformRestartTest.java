package io.planstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;

/** The one-machine default: broker and registry restart on the same data directory and old records still decode. */
class KafkaPlatformRestartTest {

    @TempDir
    Path dir;

    @Test
    void shouldDecodeRecordsWrittenBeforeARestartOfBrokerAndRegistry() throws Exception {
        List<ImageRecord> written = new ArrayList<>();
        try (KafkaPlatform platform = platform()) {
            assertThat(platform.embedded()).isTrue();
            Topic<String, ImageRecord> images = platform.topics().images();
            Map<String, Object> p = new HashMap<>(platform.clientProperties());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, ImageRecord> producer = new KafkaProducer<>(p, images.keySerde().serializer(),
                    images.valueSerde().serializer())) {
                for (int i = 0; i < 6; i++) {
                    ImageRecord r = record("img-" + i, i);
                    producer.send(new ProducerRecord<>(images.name(), r.getId(), r)).get();
                    written.add(r);
                }
            }
        }
        try (KafkaPlatform platform = platform()) {
            // A fresh registry and fresh serdes: the schema ids they resolve come from Kafka, not memory.
            Map<String, ImageRecord> read = TopicReader.latestByKey(platform.clientProperties(), platform.topics().images(),
                    Duration.ofSeconds(30));
            assertThat(read).hasSize(written.size());
            for (ImageRecord r : written) {
                assertThat(read.get(r.getId())).isEqualTo(r);
            }
        }
    }

    private KafkaPlatform platform() {
        return KafkaPlatform.builder().optEmbeddedDataDir(dir).optPartitions(2).start();
    }

    private static ImageRecord record(String id, int i) {
        return ImageRecord.newBuilder()
                .setId(id).setContentType("image/png").setFormat(ImageFormat.PICTURE)
                .setOriginal(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) i}))
                .setWidth(10 + i).setHeight(20 + i).setSource("test").setSha256("ab" + i)
                .setUploadTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                .setMetadata(Map.of("rooms.total", String.valueOf(i)))
                .build();
    }
}
