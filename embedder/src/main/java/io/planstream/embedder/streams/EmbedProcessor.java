package io.planstream.embedder.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.planstream.avro.DeadLetter;
import io.planstream.avro.Embedding;
import io.planstream.avro.ImageRecord;
import io.planstream.embedder.model.BatchEncoder;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.embedder.preprocess.PreprocessException;
import io.planstream.embedder.preprocess.Preprocessor;
import io.planstream.schemas.Topic;

/**
 * Gathers image records into batches of up to B, or whatever arrived within T, and embeds each batch
 * in one forward pass.
 *
 * <p>A record waiting for its batch is kept in a changelogged store, not only in memory: Kafka Streams
 * may commit the input offset of a record before its batch is embedded, and after a crash or a
 * rebalance the store (restored from its changelog in the same transaction as those offsets) hands the
 * waiting records to whichever instance takes the partition over. Nothing is lost or embedded twice.
 */
final class EmbedProcessor implements Processor<byte[], byte[], Object, Object> {

    private final Topic<String, ImageRecord> images;
    private final EncoderPool encoders;
    private final Preprocessor preprocessor;
    private final EmbedderSettings settings;
    private final Executor preprocessing;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Map<Long, CompletableFuture<Prepared>> prepared = new java.util.HashMap<>();

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Bytes, byte[]> store;
    private long nextSequence;

    /**
     * @param preprocessing where records are decoded and preprocessed as they arrive, so that this work
     *                      runs beside the stream thread instead of in front of each forward pass
     */
    EmbedProcessor(Topic<String, ImageRecord> images, EncoderPool encoders, Preprocessor preprocessor, EmbedderSettings settings,
                   Executor preprocessing) {
        this.images = images;
        this.encoders = encoders;
        this.preprocessor = preprocessor;
        this.settings = settings;
        this.preprocessing = preprocessing;
    }

    /** A decoded and preprocessed record, or why it could not be. */
    record Prepared(ImageRecord record, float[] input, String stage, String reason, Throwable cause) {
    }

    /** A record waiting for its batch, with where it came from (for dead letters). */
    record Pending(long sequence, String topic, int partition, long offset, long timestamp, long arrivedMs,
                   byte[] key, byte[] value) {
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(EmbedderTopology.PENDING_STORE);
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                Pending p = Envelope.decode(kv.value);
                queue.add(p);
                prepare(p);
                nextSequence = Math.max(nextSequence, p.sequence() + 1);
            }
        }
        Duration tick = settings.maxWait().dividedBy(2);
        // The stream's own wall clock (not System.nanoTime) so that tests can drive time.
        context.schedule(tick.isZero() ? Duration.ofMillis(1) : tick, PunctuationType.WALL_CLOCK_TIME, this::flushIfDue);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        var meta = context.recordMetadata().orElseThrow();
        Pending p = new Pending(nextSequence++, meta.topic(), meta.partition(), meta.offset(), record.timestamp(),
                context.currentSystemTimeMs(), record.key(), record.value());
        store.put(Envelope.key(p.sequence()), Envelope.encode(p));
        queue.add(p);
        prepare(p);
        if (queue.size() >= settings.batchSize()) {
            flush();
        }
    }

    private void prepare(Pending p) {
        if (p.value() == null || p.key() == null) {
            return;
        }
        prepared.put(p.sequence(), CompletableFuture.supplyAsync(() -> {
            try {
                ImageRecord r = images.valueSerde().deserializer().deserialize(p.topic(), p.value());
                return new Prepared(r, preprocessor.apply(r), null, null, null);
            } catch (SerializationException e) {
                return new Prepared(null, null, "deserialize", e.getMessage(), e);
            } catch (PreprocessException e) {
                return new Prepared(null, null, e.stage(), e.getMessage(), e);
            } catch (RuntimeException e) {
                return new Prepared(null, null, "preprocess", e.toString(), e);
            }
        }, preprocessing));
    }

    private void flushIfDue(long nowMs) {
        Pending oldest = queue.peek();
        // Checked every T/2: a record waits at most about T.
        if (oldest != null && nowMs - oldest.arrivedMs() >= settings.maxWait().toMillis() / 2) {
            flush();
        }
    }

    /** Embeds everything waiting, in batches of at most B, and forgets it. */
    void flush() {
        while (!queue.isEmpty()) {
            List<Pending> batch = new ArrayList<>(Math.min(queue.size(), settings.batchSize()));
            while (!queue.isEmpty() && batch.size() < settings.batchSize()) {
                batch.add(queue.poll());
            }
            embed(batch);
            for (Pending p : batch) {
                store.delete(Envelope.key(p.sequence()));
            }
        }
    }

    private void embed(List<Pending> batch) {
        // The last record of an id in the batch wins, as compaction of the images topic would decide.
        Map<String, Pending> latest = new LinkedHashMap<>();
        Map<String, float[]> inputs = new LinkedHashMap<>();
        Map<String, ImageRecord> records = new LinkedHashMap<>();
        for (Pending p : batch) {
            String id = p.key() == null ? null : new String(p.key(), StandardCharsets.UTF_8);
            if (id == null || id.isEmpty()) {
                deadLetter(p, "deserialize", "record has no image id key", null);
                continue;
            }
            latest.remove(id);
            inputs.remove(id);
            records.remove(id);
            latest.put(id, p);
            if (p.value() == null) {
                continue;
            }
            Prepared ready = await(p);
            if (ready.input() == null) {
                deadLetter(p, ready.stage(), ready.reason(), ready.cause());
                latest.remove(id);
                continue;
            }
            inputs.put(id, ready.input());
            records.put(id, ready.record());
        }
        BatchEncoder encoder = encoders.forCurrentThread();
        List<String> ids = new ArrayList<>(inputs.keySet());
        float[][] vectors = encoder.embed(new ArrayList<>(inputs.values()), settings.symmetries());
        Map<String, float[]> byId = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            byId.put(ids.get(i), vectors[i]);
        }
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Pending> e : latest.entrySet()) {
            String id = e.getKey();
            Pending p = e.getValue();
            if (p.value() == null) {
                // A deleted image: the index removes it too.
                context.forward(new Record<>(id, null, p.timestamp()), EmbedderTopology.EMBEDDINGS_SINK);
                continue;
            }
            float[] v = byId.get(id);
            List<Float> vector = new ArrayList<>(v.length);
            for (float f : v) {
                vector.add(f);
            }
            Embedding out = Embedding.newBuilder()
                    .setImageId(id)
                    .setModelVersion(encoder.version())
                    .setVector(vector)
                    .setDimension(v.length)
                    .setEmbedTime(Instant.ofEpochMilli(now))
                    .setUploadTime(records.get(id).getUploadTime())
                    .build();
            context.forward(new Record<>(id, out, p.timestamp()), EmbedderTopology.EMBEDDINGS_SINK);
        }
    }

    private Prepared await(Pending p) {
        CompletableFuture<Prepared> f = prepared.remove(p.sequence());
        try {
            return f.join();
        } catch (CompletionException e) {
            return new Prepared(null, null, "preprocess", String.valueOf(e.getCause()), e.getCause());
        }
    }

    private void deadLetter(Pending p, String stage, String reason, Throwable cause) {
        DeadLetter letter = DeadLetter.newBuilder()
                .setTopic(p.topic())
                .setPartition(p.partition())
                .setOffset(p.offset())
                .setKey(p.key() == null ? null : ByteBuffer.wrap(p.key()))
                .setValue(p.value() == null ? null : ByteBuffer.wrap(p.value()))
                .setStage(stage)
                .setReason(reason == null ? "unknown" : reason)
                .setExceptionClass(cause == null ? null : cause.getClass().getName())
                .setModelVersion(encoders.forCurrentThread().version())
                .setTime(Instant.now())
                .build();
        context.forward(new Record<>(p.key(), letter, p.timestamp()), EmbedderTopology.DEAD_LETTER_SINK);
    }

    @Override
    public void close() {
        // Waiting records stay in the store; the next owner of the partition embeds them.
        queue.clear();
        prepared.values().forEach(f -> f.cancel(false));
        prepared.clear();
    }

    /** The stored form of a waiting record. */
    static final class Envelope {
        private Envelope() {
        }

        static Bytes key(long sequence) {
            return Bytes.wrap(ByteBuffer.allocate(8).putLong(sequence).array());
        }

        static byte[] encode(Pending p) {
            byte[] topic = p.topic().getBytes(StandardCharsets.UTF_8);
            int keyLen = p.key() == null ? -1 : p.key().length;
            int valueLen = p.value() == null ? -1 : p.value().length;
            ByteBuffer b = ByteBuffer.allocate(8 + 4 + topic.length + 4 + 8 + 8 + 4 + Math.max(0, keyLen) + 4 + Math.max(0, valueLen));
            b.putLong(p.sequence()).putInt(topic.length).put(topic).putInt(p.partition()).putLong(p.offset()).putLong(p.timestamp());
            b.putInt(keyLen);
            if (keyLen > 0) {
                b.put(p.key());
            }
            b.putInt(valueLen);
            if (valueLen > 0) {
                b.put(p.value());
            }
            return b.array();
        }

        static Pending decode(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long seq = b.getLong();
            byte[] topic = new byte[b.getInt()];
            b.get(topic);
            int partition = b.getInt();
            long offset = b.getLong();
            long timestamp = b.getLong();
            byte[] key = read(b);
            byte[] value = read(b);
            // Restored records have waited long enough already: arrival 0 makes them due at the first tick.
            return new Pending(seq, new String(topic, StandardCharsets.UTF_8), partition, offset, timestamp, 0L, key, value);
        }

        private static byte[] read(ByteBuffer b) {
            int len = b.getInt();
            if (len < 0) {
                return null;
            }
            byte[] out = new byte[len];
            b.get(out);
            return out;
        }
    }
}
