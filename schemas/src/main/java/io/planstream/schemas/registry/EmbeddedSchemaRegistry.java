package io.planstream.schemas.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpServer;

/**
 * A schema registry with the Confluent REST API for the one-machine default, serving on 127.0.0.1
 * and keeping its schemas in a compacted Kafka topic, so that schema ids survive a restart and every
 * Confluent-API client ({@link RestSchemaRegistryClient}, Confluent's own tools) can use it.
 *
 * <p>Endpoints: {@code /subjects[/{s}[/versions[/{v}[/schema]]]]}, {@code /schemas/ids/{id}[/subjects|/versions|/schema]},
 * {@code /schemas/types}, {@code /compatibility/subjects/{s}/versions[/{v}]}, {@code /config[/{s}]},
 * {@code /mode}; Avro only, without schema references. The default compatibility level is BACKWARD,
 * decided with Avro's {@link org.apache.avro.SchemaCompatibility}. Deleting a subject is a soft
 * delete; {@code ?permanent=true} afterwards removes it.
 *
 * <p>One instance may serve a topic at a time: ids are chosen by the instance that writes.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    /** The serde setting that points clients at a registry; set it to {@link #url()}. */
    public static final String URL_CONFIG = RestSchemaRegistryClient.URL_CONFIG;
    /** The topic the schemas live in unless another is set. */
    public static final String DEFAULT_TOPIC = "_planstream_schemas";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    /** Registry traffic is a few requests per producer start, so a small pool is plenty. */
    private static final int HTTP_THREADS = 4;
    private static final int HTTP_QUEUE = 256;
    /**
     * The JDK server writes a response's headers and body separately; with Nagle's algorithm on, the
     * body waits for the client's delayed ACK, about 40 ms per request. The JDK reads this property
     * once, when its first server starts; an explicit setting by the user is kept.
     */
    private static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private final SchemaStore store;
    private final ThreadPoolExecutor executor;
    private final HttpServer server;
    private final String url;
    private boolean closed;

    private EmbeddedSchemaRegistry(Builder builder) {
        long start = System.nanoTime();
        this.store = new SchemaStore(builder.bootstrapServers, builder.clientProperties, builder.topic, builder.timeout);
        AtomicInteger threads = new AtomicInteger();
        // Bounded: when the queue is full the accepting thread answers the request itself, which
        // slows new connections down instead of dropping them.
        this.executor = new ThreadPoolExecutor(HTTP_THREADS, HTTP_THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(HTTP_QUEUE), r -> {
                    Thread t = new Thread(r, "schema-registry-http-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
        try {
            InetAddress address = builder.host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(builder.host);
            this.server = HttpServer.create(new InetSocketAddress(address, builder.port), 64);
        } catch (IOException e) {
            executor.shutdownNow();
            store.close();
            throw new UncheckedIOException("cannot listen on " + (builder.host == null ? "127.0.0.1" : builder.host) + ":" + builder.port
                    + ": " + e.getMessage(), e);
        }
        server.createContext("/", new RegistryHttpHandler(store));
        server.setExecutor(executor);
        server.start();
        this.url = "http://" + (builder.host == null ? "127.0.0.1" : builder.host) + ":" + server.getAddress().getPort();
        LOG.info("Embedded schema registry on {} (topic {}, {} schemas, {} subjects) started in {} ms", url,
                store.topic(), store.schemaCount(), store.subjectCount(), (System.nanoTime() - start) / 1_000_000);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The base URL clients use: {@code http://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String topic() {
        return store.topic();
    }

    /** Stops serving (requests in flight are cut off) and closes the Kafka clients; the topic stays. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("schema registry requests still running after 5 s; closing the store under them");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
        store.close();
        LOG.info("Embedded schema registry on {} stopped", url);
    }

    /** Settings of an {@link EmbeddedSchemaRegistry}; {@link #start()} creates the topic if needed, reads it and serves. */
    public static final class Builder {
        private String bootstrapServers;
        private Map<String, Object> clientProperties = Map.of();
        private String host;
        private int port;
        private String topic = DEFAULT_TOPIC;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {
        }

        /** The Kafka cluster that holds the schema topic. Required. */
        public Builder setBootstrapServers(String bootstrapServers) {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrap servers must not be blank");
            }
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /**
         * Extra Kafka client settings (security, client ids) given to the admin client, producer and
         * consumer; the registry's own acks, idempotence, serializers and offset handling win.
         */
        public Builder optClientProperties(Map<String, ?> properties) {
            this.clientProperties = Map.copyOf(Objects.requireNonNull(properties, "properties"));
            return this;
        }

        /**
         * The address to listen on (an IP address of this host); default 127.0.0.1. The registry has no
         * authentication: another address lets every host that reaches it in.
         */
        public Builder optHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host.trim();
            return this;
        }

        /** Port; 0 (the default) picks a free one. */
        public Builder optPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The compacted topic that holds the schemas; default {@value #DEFAULT_TOPIC}. */
        public Builder optTopic(String topic) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("topic must not be blank");
            }
            this.topic = topic;
            return this;
        }

        /** Bound on each Kafka operation (start-up read, one write); default 30 s. */
        public Builder optTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public EmbeddedSchemaRegistry start() {
            if (bootstrapServers == null) {
                throw new IllegalStateException("set the Kafka bootstrap servers that hold the schema topic");
            }
            return new EmbeddedSchemaRegistry(this);
        }
    }
}
