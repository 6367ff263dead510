package io.planstream.index.service;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.planstream.avro.Embedding;
import io.planstream.avro.ImageFormat;
import io.planstream.avro.ImageRecord;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.TopicNames;
import io.planstream.platform.UploadToken;

/**
 * A broker of the index's Kafka tests and what they write to it, as the ingest and the embedder would: images,
 * embeddings, an embedder's progress.
 */
final class TopicFixture implements AutoCloseable {

    private final KafkaPlatform platform;
    private final KafkaProducer<byte[], byte[]> producer;

    private TopicFixture(KafkaPlatform platform, KafkaProducer<byte[], byte[]> producer) {
        this.platform = platform;
        this.producer = producer;
    }

    /** An embedded broker (two partitions per topic) and a producer that waits for every write. */
    static TopicFixture start() {
        KafkaPlatform platform = KafkaPlatform.builder().optPartitions(2).start();
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new TopicFixture(platform, new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    KafkaPlatform platform() {
        return platform;
    }

    KafkaProducer<byte[], byte[]> producer() {
        return producer;
    }

    @Override
    public void close() {
        producer.close();
        platform.close();
    }

    static float[] unit(Random r, int dimension) {
        float[] v = new float[dimension];
        double n = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) r.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < dimension; i++) {
            v[i] /= (float) Math.sqrt(n);
        }
        return v;
    }

    /** A 48x32 PNG with three bedrooms in its metadata. */
    void sendImage(String id, int seed) throws IOException {
        BufferedImage img = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(new Color(seed * 37 % 255, 90, 160));
        g.fillRect(4, 4, 30, 20);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        ImageRecord r = ImageRecord.newBuilder().setId(id).setContentType("image/png").setFormat(ImageFormat.PICTURE)
                .setOriginal(ByteBuffer.wrap(png.toByteArray())).setRendered(null).setWidth(48).setHeight(32).setSource("test")
                .setFilename(id + ".png").setSha256("0".repeat(64)).setUploadTime(Instant.now())
                .setMetadata(Map.of("rooms.bedroom", Integer.toString(3))).build();
        send(TopicNames.IMAGES, id, platform.topics().images().valueSerde().serializer().serialize(TopicNames.IMAGES, r));
    }

    void sendEmbedding(String id, int version, float[] v) {
        sendEmbedding(id, version, v, null);
    }

    /** An embedding computed from the upload at {@code source} (null: a record written before embeddings carried it). */
    void sendEmbedding(String id, int version, float[] v, UploadToken source) {
        List<Float> values = new ArrayList<>();
        for (float x : v) {
            values.add(x);
        }
        Embedding e = Embedding.newBuilder().setImageId(id).setModelVersion(version).setVector(values).setDimension(v.length)
                .setEmbedTime(Instant.now()).setUploadTime(null)
                .setSourcePartition(source == null ? null : source.partition()).setSourceOffset(source == null ? null : source.offset())
                .build();
        send(TopicNames.EMBEDDINGS, id, platform.topics().embeddings().valueSerde().serializer().serialize(TopicNames.EMBEDDINGS, e));
    }

    void send(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commits the images topic's end offsets for the version's embedder group, as a caught-up embedder would. */
    void markEmbedderDone(int version) {
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, TopicNames.embedderApplicationId(version));
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(TopicNames.IMAGES).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> end = new HashMap<>();
            c.endOffsets(parts).forEach((tp, o) -> end.put(tp, new OffsetAndMetadata(o)));
            c.commitSync(end);
        }
    }
}
