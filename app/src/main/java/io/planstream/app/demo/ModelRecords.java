package io.planstream.app.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;
import io.planstream.kafka.KafkaPlatform;
import io.planstream.schemas.Topic;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.model.EncoderSpec;

/** Reads the models topic and publishes a model version whose artifact lies on this machine's disk. */
public final class ModelRecords {

    private ModelRecords() {
    }

    /** Every model record the topic holds, by version (the newest record of each). */
    public static TreeMap<Integer, ModelVersion> readAll(KafkaPlatform platform) {
        Topic<String, ModelVersion> topic = platform.topics().models();
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        TreeMap<Integer, ModelVersion> out = new TreeMap<>();
        try (KafkaConsumer<String, ModelVersion> c = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, ModelVersion> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        out.put(r.value().getVersion(), r.value());
                    }
                }
            }
        }
        return out;
    }

    /** Publishes the artifact in {@code artifactDir} as {@code version}, with its hash, so embedders load and check it. */
    public static ModelVersion publish(KafkaPlatform platform, int version, Integer parent, Path artifactDir,
                                       Map<String, Double> metrics, String publisher) throws ArtifactException {
        ModelManifest manifest = ModelArtifact.readManifest(artifactDir);
        EncoderSpec spec = manifest.encoderSpec();
        ModelVersion record = ModelVersion.newBuilder()
                .setVersion(version)
                .setParent(parent)
                .setArchitecture(spec.name())
                .setDimension(spec.embeddingDim())
                .setInputSize(spec.inputSize())
                .setArtifactUri(artifactDir.toAbsolutePath().toUri().toString())
                .setArtifactSha256(ModelArtifact.sha256Hex(artifactDir.resolve(ModelArtifact.PARAMETERS)))
                .setManifest(Map.of("encoder", spec.name(), "input_size", Integer.toString(spec.inputSize()),
                        "channels", Integer.toString(spec.inputChannels())))
                .setMetrics(metrics)
                .setState(ModelState.PUBLISHED)
                .setCreatedTime(Instant.now())
                .setPublisher(publisher)
                .build();
        Topic<String, ModelVersion> topic = platform.topics().models();
        Map<String, Object> p = new HashMap<>(platform.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, ModelVersion> producer = new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), Integer.toString(version), record)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing model version " + version, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("model version " + version + " was not published: " + e.getCause().getMessage(), e.getCause());
        }
        return record;
    }
}
