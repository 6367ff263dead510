package io.planstream.platform;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import io.planstream.avro.ArtifactChunk;
import io.planstream.avro.DeadLetter;
import io.planstream.avro.Embedding;
import io.planstream.avro.ImageRecord;
import io.planstream.avro.ModelVersion;
import io.planstream.avro.ServingRecord;
import io.planstream.schemas.serde.AvroSerde;

/**
 * The topic descriptors of one deployment, with their serdes configured against its schema registry.
 * Build one per process with {@link #create(Map, int, short)} and pass it around; nothing here is static
 * and mutable.
 */
public final class Topics {

    /**
     * The largest record the model-artifacts topic accepts: the largest chunk
     * ({@link io.planstream.models.ArtifactChunks#MAX_CHUNK_BYTES}, 1 MiB) plus its envelope, whose
     * list of file names {@link io.planstream.models.ArtifactChunks} bounds well below the other MiB.
     */
    public static final int ARTIFACT_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

    /**
     * The largest upload the images topic is sized for unless told otherwise: the upload path's default
     * limit ({@code planstream.ingest.max-bytes}) names this constant, so the two cannot drift apart.
     */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 10L * 1024 * 1024;

    /**
     * Room an images record needs beside the upload's bytes: for an RPLAN file its rendered picture (a
     * 256x256 PNG, under 300 KB), the metadata (by default 64 fields of at most 64 + 1024 characters, under
     * 300 KB as UTF-8), the id, file name, checksum and the registry's 5-byte header; the rest is margin,
     * which also covers a dead letter's own fields around a refused images record.
     */
    public static final int IMAGE_RECORD_OVERHEAD = 1024 * 1024;

    private final Topic<String, ImageRecord> images;
    private final Topic<String, Embedding> embeddings;
    private final Topic<String, ModelVersion> models;
    private final Topic<String, ArtifactChunk> artifacts;
    private final Topic<byte[], DeadLetter> deadLetters;
    private final Topic<String, ServingRecord> serving;
    private final List<TopicSpec> specs;
    private final int imageMaxMessageBytes;

    private Topics(Map<String, ?> serdeConfig, int partitions, short replicationFactor, long maxUploadBytes) {
        imageMaxMessageBytes = imageMaxMessageBytes(maxUploadBytes);
        images = new Topic<>(TopicNames.IMAGES, Serdes.String(), avro(ImageRecord.class, serdeConfig));
        embeddings = new Topic<>(TopicNames.EMBEDDINGS, Serdes.String(), avro(Embedding.class, serdeConfig));
        models = new Topic<>(TopicNames.MODELS, Serdes.String(), avro(ModelVersion.class, serdeConfig));
        artifacts = new Topic<>(TopicNames.MODEL_ARTIFACTS, Serdes.String(), avro(ArtifactChunk.class, serdeConfig));
        deadLetters = new Topic<>(TopicNames.DEAD_LETTERS, Serdes.ByteArray(), avro(DeadLetter.class, serdeConfig));
        serving = new Topic<>(TopicNames.SERVING, Serdes.String(), avro(ServingRecord.class, serdeConfig));
        // Uploads carry the original picture: the largest accepted one plus its envelope.
        Map<String, String> compacted = Map.of(
                "cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(imageMaxMessageBytes));
        specs = List.of(
                new TopicSpec(TopicNames.IMAGES, partitions, replicationFactor, compacted),
                // Kept, not compacted: one image has one record per model version under the same key.
                new TopicSpec(TopicNames.EMBEDDINGS, partitions, replicationFactor, Map.of("retention.ms", "-1")),
                new TopicSpec(TopicNames.MODELS, 1, replicationFactor, Map.of("cleanup.policy", "compact")),
                // One partition: an artifact URI names a partition and the offset of a version's first chunk,
                // and all of a version's chunks follow it there. Compacted, not deleted by age: every
                // version's artifact stays fetchable however old it is, and only a re-sent chunk is dropped.
                new TopicSpec(TopicNames.MODEL_ARTIFACTS, 1, replicationFactor,
                        Map.of("cleanup.policy", "compact",
                                "max.message.bytes", String.valueOf(ARTIFACT_MAX_MESSAGE_BYTES))),
                // One partition, so that every replica reads the reports and switches in one order.
                new TopicSpec(TopicNames.SERVING, 1, replicationFactor, Map.of("cleanup.policy", "compact")),
                new TopicSpec(TopicNames.DEAD_LETTERS, 1, replicationFactor,
                        Map.of("retention.ms", String.valueOf(30L * 24 * 3600 * 1000),
                                "max.message.bytes", String.valueOf(imageMaxMessageBytes))));
    }

    /**
     * The {@code max.message.bytes} of the images topic (and of whatever else carries whole images records:
     * dead letters, the embedder's batch buffer) for uploads of at most {@code maxUploadBytes}.
     *
     * @throws IllegalArgumentException when the limit is not positive or the record would not fit Kafka's int sizes
     */
    public static int imageMaxMessageBytes(long maxUploadBytes) {
        if (maxUploadBytes <= 0 || maxUploadBytes > Integer.MAX_VALUE - IMAGE_RECORD_OVERHEAD) {
            throw new IllegalArgumentException("the upload limit must be between 1 and "
                    + (Integer.MAX_VALUE - IMAGE_RECORD_OVERHEAD) + " bytes, got " + maxUploadBytes);
        }
        return (int) (maxUploadBytes + IMAGE_RECORD_OVERHEAD);
    }

    /**
     * @param serdeConfig Confluent serde settings: {@code schema.registry.url} and optionally
     *                    {@code auto.register.schemas}, {@code use.latest.version}, {@code basic.auth.*}
     * @param partitions partitions of the partitioned topics (images, embeddings)
     * @param replicationFactor replication of every topic
     */
    public static Topics create(Map<String, ?> serdeConfig, int partitions, short replicationFactor) {
        return create(serdeConfig, partitions, replicationFactor, DEFAULT_MAX_UPLOAD_BYTES);
    }

    /**
     * As {@link #create(Map, int, short)}, with the images topic sized for uploads of at most {@code maxUploadBytes}
     * (see {@link #imageMaxMessageBytes(long)}).
     */
    public static Topics create(Map<String, ?> serdeConfig, int partitions, short replicationFactor, long maxUploadBytes) {
        return new Topics(serdeConfig, partitions, replicationFactor, maxUploadBytes);
    }

    public Topic<String, ImageRecord> images() {
        return images;
    }

    public Topic<String, Embedding> embeddings() {
        return embeddings;
    }

    public Topic<String, ModelVersion> models() {
        return models;
    }

    /** Chunks of model artifacts, keyed by {@code v{version}/{file}/{chunk}}. */
    public Topic<String, ArtifactChunk> artifacts() {
        return artifacts;
    }

    public Topic<byte[], DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** The index replicas' reports and the cluster's serving version ({@link io.planstream.avro.ServingRecord}). */
    public Topic<String, ServingRecord> serving() {
        return serving;
    }

    /** The largest images record: a producer of them, or of anything that wraps one, needs this {@code max.request.size}. */
    public int imageMaxMessageBytes() {
        return imageMaxMessageBytes;
    }

    /** How each topic is created where it does not exist yet. */
    public List<TopicSpec> specs() {
        return specs;
    }

    private static <T extends SpecificRecord> Serde<T> avro(Class<T> type, Map<String, ?> serdeConfig) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(new HashMap<>(serdeConfig), false);
        return serde;
    }
}
