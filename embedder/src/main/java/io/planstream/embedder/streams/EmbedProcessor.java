package io.planstream.embedder.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.planstream.avro.ImageRecord;
import io.planstream.embedder.model.EncoderPool;
import io.planstream.embedder.model.ForwardLane;
import io.planstream.platform.Topic;
import io.planstream.schemas.ImageRecords;
import io.planstream.simclr.data.PreprocessException;
import io.planstream.simclr.data.Preprocessor;

/**
 * Gathers image records into batches and embeds each batch in one forward pass. A batch leaves when B
 * records wait, at once for a record that finds the embedder idle, at the next tick when a forward worker
 * is idle (with whatever waits: a worker that idles while a record waits only adds latency), or when its
 * oldest record has waited T (to queue behind the batches that run). Under load the workers are busy and
 * batches fill to B; a lone upload starts its forward pass at once.
 *
 * <p>The stream thread does not run the forward pass (unless the pool is inline, for single-threaded
 * test drivers). It hands each batch to its {@link ForwardLane} and goes on: while batch i runs, records for batch i+1 are polled, stored, decoded and preprocessed (on
 * the preprocessing threads), and batch i+1 waits on the lane, ready to start the moment i ends. At most
 * one batch more than the lane has workers are out (see {@link ForwardLane#maxInFlight}); with all out and one more
 * full, {@code process} waits for the oldest, so a backlog is read no faster than it is embedded. A finished batch's records are written to
 * the sinks on the stream thread (Kafka Streams allows {@code forward} nowhere else), at the next record
 * or tick, and only then deleted from the store.
 *
 * <p>A record waiting for its batch, or in a batch that runs, is kept in a changelogged store, not only
 * in memory: Kafka Streams may commit the input offset of a record before its batch is embedded, and
 * after a crash or a rebalance the store (restored from its changelog in the same transaction as those
 * offsets) hands the waiting records to whichever instance takes the partition over. An embedding and
 * the deletion of its record from the store are in the same transaction, so nothing is lost or
 * embedded twice.
 */
final class EmbedProcessor implements Processor<byte[], byte[], Object, Object> {

    /** Longest gap between two looks at the batches out and the age of the oldest waiting record. */
    static final Duration MAX_TICK = Duration.ofMillis(10);

    private final Topic<String, ImageRecord> images;
    private final EncoderPool encoders;
    private final Preprocessor preprocessor;
    private final EmbedderSettings settings;
    private final Executor preprocessing;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final Map<Long, CompletableFuture<BatchJob.Prepared>> prepared = new HashMap<>();

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Bytes, byte[]> store;
    private ForwardLane lane;
    private long nextSequence;
    /** Embeddings written since the last commit request. */
    private boolean written;

    /**
     * @param preprocessing where records are decoded and preprocessed as they arrive, so that this work
     *                      runs beside the stream thread and the forward pass instead of in front of either
     */
    EmbedProcessor(Topic<String, ImageRecord> images, EncoderPool encoders, Preprocessor preprocessor, EmbedderSettings settings,
                   Executor preprocessing) {
        this.images = images;
        this.encoders = encoders;
        this.preprocessor = preprocessor;
        this.settings = settings;
        this.preprocessing = preprocessing;
    }

    /** A record waiting for its batch, with where it came from (for dead letters). */
    record Pending(long sequence, String topic, int partition, long offset, long timestamp, long arrivedMs,
                   byte[] key, byte[] value) {
    }

    /** A batch handed to the lane, and what it will write. */
    private record InFlight(List<Pending> records, CompletableFuture<List<BatchJob.Output>> outputs) {
    }

    /** How often the processor looks at the batches out and the oldest waiting record, for a max wait T. */
    static Duration tick(Duration maxWait) {
        Duration half = maxWait.dividedBy(2);
        if (half.compareTo(MAX_TICK) > 0) {
            return MAX_TICK;
        }
        return half.isZero() ? Duration.ofMillis(1) : half;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(EmbedderTopology.PENDING_STORE);
        this.lane = encoders.forCurrentThread();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                Pending p = Envelope.decode(kv.value);
                queue.add(p);
                prepare(p);
                nextSequence = Math.max(nextSequence, p.sequence() + 1);
            }
        }
        // The stream's own wall clock (not System.nanoTime) so that tests can drive time.
        context.schedule(tick(settings.maxWait()), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        var meta = context.recordMetadata().orElseThrow();
        Pending p = new Pending(nextSequence++, meta.topic(), meta.partition(), meta.offset(), record.timestamp(),
                context.currentSystemTimeMs(), record.key(), record.value());
        store.put(Envelope.key(p.sequence()), Envelope.encode(p));
        queue.add(p);
        prepare(p);
        emitFinished();
        while (queue.size() >= settings.batchSize()) {
            submitNextBatch();
        }
        // A record that finds the embedder entirely idle (nothing waiting, nothing out) starts at once: it is
        // an upload on its own, not the head of a backlog (whose later records find this one out).
        if (queue.size() == 1 && inFlight.isEmpty() && !lane.inline()) {
            submitNextBatch();
        }
    }

    /**
     * Hands what waits to an idle forward worker: with a threaded lane, waiting for T would only idle it.
     * Called on the tick, not for each record: the records of one poll are processed before the tick, so a
     * backlog still fills its batches (handing each record of a backlog to a worker that happens to be free
     * made batches of one or two, and cost 40 % of the throughput), while a lone upload waits one tick at most.
     */
    private void submitIfIdle() {
        if (!queue.isEmpty() && !lane.inline() && inFlight.size() < lane.workers()) {
            submitNextBatch();
        }
    }

    private void prepare(Pending p) {
        if (p.value() == null || p.key() == null) {
            return;
        }
        prepared.put(p.sequence(), CompletableFuture.supplyAsync(() -> {
            try {
                ImageRecord r = images.valueSerde().deserializer().deserialize(p.topic(), p.value());
                return new BatchJob.Prepared(r, preprocessor.apply(ImageRecords.picture(r)), null, null, null);
            } catch (SerializationException e) {
                return new BatchJob.Prepared(null, null, "deserialize", e.getMessage(), e);
            } catch (PreprocessException e) {
                return new BatchJob.Prepared(null, null, e.stage(), e.getMessage(), e);
            } catch (RuntimeException e) {
                return new BatchJob.Prepared(null, null, "preprocess", e.toString(), e);
            }
        }, preprocessing));
    }

    /** Writes what finished; hands the waiting records to an idle worker, or over once the oldest has waited T. */
    private void onTick(long nowMs) {
        emitFinished();
        submitIfIdle();
        Pending oldest = queue.peek();
        if (oldest != null && nowMs - oldest.arrivedMs() >= settings.maxWait().toMillis() && inFlight.size() < lane.maxInFlight()) {
            submitNextBatch();
        }
    }

    /** Hands up to B waiting records to the lane; with {@link ForwardLane#maxInFlight} batches out, first waits for the oldest. */
    private void submitNextBatch() {
        while (inFlight.size() >= lane.maxInFlight()) {
            emit(inFlight.poll());
        }
        List<Pending> batch = new ArrayList<>(Math.min(queue.size(), settings.batchSize()));
        List<CompletableFuture<BatchJob.Prepared>> decodings = new ArrayList<>(batch.size());
        while (!queue.isEmpty() && batch.size() < settings.batchSize()) {
            Pending p = queue.poll();
            batch.add(p);
            decodings.add(prepared.remove(p.sequence()));
        }
        BatchJob job = new BatchJob(batch, decodings, settings.symmetries(), settings.batchSize());
        inFlight.add(new InFlight(job.records(), lane.submit(job::run)));
        // An inline lane has finished already: write now, as the forward pass on this thread used to.
        emitFinished();
    }

    /** Writes the finished batches at the head of the line, in the order they were handed over. */
    private void emitFinished() {
        while (!inFlight.isEmpty() && inFlight.peek().outputs().isDone()) {
            emit(inFlight.poll());
        }
        commitIfDrained();
    }

    /**
     * Writes a batch's records to the sinks (waiting for it where it still runs), then forgets the batch:
     * both in this task's transaction. A failed forward pass fails the stream thread, and the batch's
     * records, still in the store, are embedded by the next owner of the partition.
     */
    private void emit(InFlight batch) {
        List<BatchJob.Output> outputs;
        try {
            outputs = batch.outputs().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StreamsException("the forward pass of a batch of " + batch.records().size() + " records failed: " + cause, cause);
        }
        for (BatchJob.Output o : outputs) {
            context.forward(new Record<>(o.key(), o.value(), o.timestamp()), o.sink());
        }
        for (Pending p : batch.records()) {
            store.delete(Envelope.key(p.sequence()));
        }
        written = true;
    }

    /**
     * Embeddings become visible to readers only when this task's transaction commits. Once the lane has
     * drained (no batch out whose embeddings could share the commit), the commit is requested at once (Kafka
     * Streams commits after this loop iteration) rather than at the end of the commit interval; under load,
     * with batches always out, the interval commits, and a commit's cost is shared by many batches.
     */
    private void commitIfDrained() {
        if (written && inFlight.isEmpty() && settings.commitWhenDrained()) {
            written = false;
            context.commit();
        }
    }

    @Override
    public void close() {
        // Waiting records, and those of batches out, stay in the store; the next owner of the partition
        // embeds them. A batch that still runs finishes on the lane and is dropped.
        queue.clear();
        inFlight.clear();
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
