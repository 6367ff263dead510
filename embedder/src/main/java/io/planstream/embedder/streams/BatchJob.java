package io.planstream.embedder.streams;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.planstream.avro.DeadLetter;
import io.planstream.schemas.DeadLetters;
import io.planstream.avro.Embedding;
import io.planstream.avro.ImageRecord;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.ForwardStats;

/**
 * One micro-batch, turned into what the stream writes: an embedding per image id (the last record of an
 * id in the batch wins, as compaction of the images topic would decide), a tombstone per deleted id, a
 * dead letter per record that could not be read. It runs on the forward lane, off the stream thread:
 * it waits for the records' decoding, runs the one forward pass and builds the output records, and the
 * stream thread only hands them to the sinks.
 */
final class BatchJob {

    /** A decoded and preprocessed record, or why it could not be. */
    record Prepared(ImageRecord record, float[] input, String stage, String reason, Throwable cause) {
    }

    /** A record for a sink, in the order the stream must write it. */
    record Output(Object key, Object value, long timestamp, String sink) {
    }

    private final List<EmbedProcessor.Pending> batch;
    private final List<CompletableFuture<Prepared>> prepared;
    private final boolean symmetries;
    private final int forwardImages;

    /**
     * @param prepared one per record of {@code batch}: its decoding, or null for a record that has none
     *                 (a tombstone, a record without key)
     * @param forwardImages most images in one forward pass (the batch size B)
     */
    BatchJob(List<EmbedProcessor.Pending> batch, List<CompletableFuture<Prepared>> prepared, boolean symmetries, int forwardImages) {
        if (batch.size() != prepared.size()) {
            throw new IllegalArgumentException(batch.size() + " records but " + prepared.size() + " decodings");
        }
        this.batch = List.copyOf(batch);
        this.prepared = new ArrayList<>(prepared);
        this.symmetries = symmetries;
        this.forwardImages = forwardImages;
    }

    List<EmbedProcessor.Pending> records() {
        return batch;
    }

    /** Dead letters first, in arrival order; then one record per id, in the order of each id's last record. */
    List<Output> run(BatchEncoder encoder) {
        List<Output> out = new ArrayList<>();
        Map<String, EmbedProcessor.Pending> latest = new LinkedHashMap<>();
        Map<String, Prepared> inputs = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            EmbedProcessor.Pending p = batch.get(i);
            String id = p.key() == null ? null : new String(p.key(), StandardCharsets.UTF_8);
            if (id == null || id.isEmpty()) {
                out.add(deadLetter(p, "deserialize", "record has no image id key", null, encoder.version()));
                continue;
            }
            latest.remove(id);
            inputs.remove(id);
            latest.put(id, p);
            if (p.value() == null) {
                continue;
            }
            Prepared ready = await(prepared.get(i));
            if (ready.input() == null) {
                out.add(deadLetter(p, ready.stage(), ready.reason(), ready.cause(), encoder.version()));
                latest.remove(id);
                continue;
            }
            inputs.put(id, ready);
        }
        List<float[]> images = new ArrayList<>(inputs.size());
        inputs.values().forEach(r -> images.add(r.input()));
        long cpuBefore = ForwardStats.threadCpuNanos();
        float[][] vectors = encoder.embed(images, symmetries, forwardImages);
        if (!images.isEmpty()) {
            ForwardStats.process().record(images.size(), cpuBefore);
        }
        Map<String, float[]> byId = new LinkedHashMap<>();
        int k = 0;
        for (String id : inputs.keySet()) {
            byId.put(id, vectors[k++]);
        }
        Instant now = Instant.now();
        for (Map.Entry<String, EmbedProcessor.Pending> e : latest.entrySet()) {
            String id = e.getKey();
            EmbedProcessor.Pending p = e.getValue();
            if (p.value() == null) {
                // A deleted image: the index removes it too.
                out.add(new Output(id, null, p.timestamp(), EmbedderTopology.EMBEDDINGS_SINK));
                continue;
            }
            float[] v = byId.get(id);
            List<Float> vector = new ArrayList<>(v.length);
            for (float f : v) {
                vector.add(f);
            }
            Embedding embedding = Embedding.newBuilder()
                    .setImageId(id)
                    .setModelVersion(encoder.version())
                    .setVector(vector)
                    .setDimension(v.length)
                    .setEmbedTime(now)
                    .setUploadTime(inputs.get(id).record().getUploadTime())
                    .setFormat(inputs.get(id).record().getFormat().name())
                    .setMetadata(inputs.get(id).record().getMetadata())
                    .setSourcePartition(p.partition())
                    .setSourceOffset(p.offset())
                    .build();
            out.add(new Output(id, embedding, p.timestamp(), EmbedderTopology.EMBEDDINGS_SINK));
        }
        return out;
    }

    private static Prepared await(CompletableFuture<Prepared> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            return new Prepared(null, null, "preprocess", String.valueOf(e.getCause()), e.getCause());
        }
    }

    private static Output deadLetter(EmbedProcessor.Pending p, String stage, String reason, Throwable cause, int version) {
        DeadLetter letter = DeadLetters.of(p.topic(), p.partition(), p.offset(), p.key(), p.value(), stage, reason, cause, version);
        return new Output(p.key(), letter, p.timestamp(), EmbedderTopology.DEAD_LETTER_SINK);
    }
}
