package io.planstream.embedder.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.embedder.model.EncoderPool;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.TopicNames;
import io.planstream.simclr.data.Preprocessor;

/**
 * The Kafka Streams application that embeds the images topic with one model version. Each version has
 * its own application id, so a new version starts from the beginning of the topic (a backfill of every
 * image) while the previous version's stream keeps embedding live uploads.
 */
public final class EmbedderStream implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedderStream.class);
    public static final String APPLICATION_ID_PREFIX = TopicNames.EMBEDDER_APPLICATION_PREFIX;
    /** How soon the stream's producer retries a write the broker could not take yet. */
    static final long RETRY_BACKOFF_MS = 5;

    private final int version;
    private final KafkaStreams streams;
    private final EncoderPool encoders;
    private final CountDownLatch running = new CountDownLatch(1);
    private final java.util.concurrent.ExecutorService preprocessing;

    /**
     * @param overrides any Kafka Streams setting, e.g. {@code num.stream.threads}
     */
    public EmbedderStream(KafkaPlatform platform, int version, EncoderPool encoders, Preprocessor preprocessor,
                          EmbedderSettings settings, Path stateDir, Map<String, Object> overrides) {
        this.version = version;
        this.encoders = encoders;
        Properties p = new Properties();
        p.putAll(platform.clientProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(version));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Whole pictures travel through the batch buffer's changelog: room for the largest upload.
        int maxRecordBytes = platform.topics().imageMaxMessageBytes();
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxRecordBytes);
        p.put(StreamsConfig.topicPrefix("max.message.bytes"), String.valueOf(maxRecordBytes));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        // A batch finishes on its forward lane while the stream thread may sit in poll: wake up as often
        // as the processor's tick, so that an idle stream writes a finished batch within one tick.
        p.put(StreamsConfig.POLL_MS_CONFIG, EmbedProcessor.tick(settings.maxWait()).toMillis());
        // A batch's commit is requested as soon as it is written, so the next transaction's first write can reach
        // the broker while the last one's markers are still being written: the broker answers CONCURRENT_TRANSACTIONS
        // and the producer retries after retry.backoff.ms, by default 100 ms of added latency; retry sooner.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), RETRY_BACKOFF_MS);
        p.putAll(overrides);
        // Decoding runs on its own threads, beside the stream thread that batches and the lanes that run the encoder.
        this.preprocessing = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                r -> {
                    Thread t = new Thread(r, "planstream-embedder-v" + version + "-preprocess");
                    t.setDaemon(true);
                    return t;
                });
        this.streams = new KafkaStreams(EmbedderTopology.build(platform.topics(), encoders, preprocessor, settings, preprocessing), p);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("embedder v{} stream thread failed; replacing the thread: {}", version, e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("embedder v{}: {} -> {}", version, before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
    }

    public static String applicationId(int version) {
        return TopicNames.embedderApplicationId(version);
    }

    public EmbedderStream start() {
        streams.start();
        return this;
    }

    public int version() {
        return version;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Waits until the stream has joined its group and runs. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops processing (polling goes on, so the group keeps its members); batches out finish on their lanes. */
    public void pause() {
        streams.pause();
    }

    /** Processing goes on from where {@link #pause()} stopped it. */
    public void resume() {
        streams.resume();
    }

    public Map<String, Double> metrics() {
        Map<String, Double> out = new HashMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.name().equals("process-rate") && name.group().equals("stream-thread-metrics")
                    && metric.metricValue() instanceof Double d && !d.isNaN()) {
                out.merge("process_rate", d, Double::sum);
            }
        });
        return out;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        preprocessing.shutdownNow();
        encoders.close();
        LOG.info("embedder v{} stopped", version);
    }
}
