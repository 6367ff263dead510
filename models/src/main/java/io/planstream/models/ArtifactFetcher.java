package io.planstream.models;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.io.file.PathUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ArtifactChunk;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Topic;

/**
 * Fetches a model artifact from the chunk topic into a local cache directory, so that every machine gets
 * the artifact through Kafka without a shared disk.
 *
 * <p>A fetch reads, with {@code isolation.level=read_committed}, from the offset its {@link ArtifactUri}
 * names until every file of the version is complete, skipping records of other versions. Each file is
 * checked against the size and SHA-256 its chunks carry. The files are written into a temporary
 * directory under the cache root, then a hash list {@value #HASH_LIST_FILE} is written last, and the
 * directory is renamed atomically to {@code cacheRoot/v{version}}: a reader never sees a partial
 * {@code v{version}}, and two processes fetching the same version at once both end up with one
 * complete copy.
 *
 * <p>A version already in the cache is reused after every file is hashed again against the hash list;
 * a damaged copy is deleted and fetched again. That re-check is also why the files are not synced to
 * disk before the rename: a copy torn by a crash fails it and is fetched again. A process killed during
 * a fetch can leave a hidden {@code .v{version}-*} directory behind, which nothing reads and which may be
 * deleted.
 */
public final class ArtifactFetcher {

    /** Name of the hash list in a fetched artifact directory, in {@code sha256sum} format; reserved in artifacts. */
    public static final String HASH_LIST_FILE = "artifact.sha256";
    /** Time a fetch may take unless the fetcher is told otherwise; enough for a few hundred MB on a LAN. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(ArtifactFetcher.class);
    private static final Duration POLL = Duration.ofMillis(200);
    // Several chunks per fetch request instead of the default one MiB, for throughput on large artifacts.
    private static final int FETCH_BYTES = 8 * 1024 * 1024;

    private final KafkaPlatform platform;
    private final Duration timeout;

    public ArtifactFetcher(KafkaPlatform platform) {
        this(platform, DEFAULT_TIMEOUT);
    }

    /** @param timeout the longest one {@link #fetch} may read from Kafka, {@code > 0} */
    public ArtifactFetcher(KafkaPlatform platform, Duration timeout) {
        this.platform = Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("fetch timeout must be > 0, got " + timeout);
        }
        this.timeout = timeout;
    }

    /**
     * The directory {@code cacheRoot/v{version}} holding the artifact {@code uri} names, fetched unless a
     * sound copy is there already. Besides the artifact's files it holds {@value #HASH_LIST_FILE}.
     *
     * <p>A fetch fails as soon as it is sure the records are not there: the URI's offset holds another
     * version's chunk, or the partition ends before all files are complete. While the partition holds
     * records of an open transaction, which may be the version's own, still being committed, it waits for
     * them instead, up to the timeout.
     *
     * @param uri       an artifact URI, {@code kafka://model-artifacts/{partition}/{firstOffset}?version={N}}
     * @param cacheRoot directory of fetched artifacts; created if missing
     * @throws IllegalArgumentException when {@code uri} is not an artifact URI of this platform's chunk topic
     * @throws ArtifactFetchException   when the version's records are missing, incomplete or inconsistent, do
     *                                  not match their hashes, or are not all read within the timeout
     * @throws IOException              when the cache directory cannot be written
     */
    public Path fetch(URI uri, Path cacheRoot) throws IOException {
        ArtifactUri at = ArtifactUri.parse(uri);
        String topic = platform.topics().artifacts().name();
        if (!at.topic().equals(topic)) {
            throw new IllegalArgumentException("artifact URI " + uri + " names the topic '" + at.topic()
                    + "'; artifacts are fetched from '" + topic + "'");
        }
        Files.createDirectories(cacheRoot);
        Path target = cacheRoot.resolve("v" + at.version());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Optional<String> damage = ArtifactCache.damage(target);
            if (damage.isEmpty()) {
                LOG.debug("Reusing the cached artifact of model version {} in {}", at.version(), target);
                return target;
            }
            LOG.warn("Cached artifact {} is damaged ({}); deleting it and fetching it again", target, damage.get());
            PathUtils.deleteDirectory(target);
        }
        Path temp = Files.createTempDirectory(cacheRoot, ".v" + at.version() + "-");
        try {
            long start = System.nanoTime();
            ArtifactAssembly assembly = download(at, temp);
            ArtifactCache.writeHashList(temp, assembly.hashes());
            Path installed = install(temp, target);
            LOG.info("Fetched the artifact of model version {} ({} files, {} bytes) from {} into {} in {} ms",
                    at.version(), assembly.hashes().size(), assembly.bytes(), at, installed,
                    (System.nanoTime() - start) / 1_000_000);
            return installed;
        } finally {
            if (Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
                PathUtils.deleteDirectory(temp);
            }
        }
    }

    private ArtifactAssembly download(ArtifactUri at, Path dir) throws IOException {
        Topic<String, ArtifactChunk> topic = platform.topics().artifacts();
        Map<String, Object> p = ModelLog.readCommitted(platform);
        // An offset the partition does not hold (deleted, or never written) must fail, not silently skip.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, FETCH_BYTES);
        long deadline = System.nanoTime() + timeout.toNanos();
        TopicPartition tp = new TopicPartition(at.topic(), at.partition());
        try (KafkaConsumer<String, ArtifactChunk> consumer = new KafkaConsumer<>(p, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
             HighWatermark highWatermark = new HighWatermark(tp);
             ArtifactAssembly assembly = new ArtifactAssembly(at, dir)) {
            if (consumer.partitionsFor(at.topic(), ModelLog.remaining(deadline)).stream()
                    .noneMatch(i -> i.partition() == at.partition())) {
                throw assembly.fail("topic '" + at.topic() + "' has no partition " + at.partition());
            }
            consumer.assign(List.of(tp));
            // Under read_committed, the last stable offset: committed records lie before it.
            long end = consumer.endOffsets(List.of(tp), ModelLog.remaining(deadline)).get(tp);
            if (at.firstOffset() >= end) {
                long partitionEnd = highWatermark.get(deadline);
                if (at.firstOffset() >= partitionEnd) {
                    throw assembly.fail("partition " + at.partition() + " ends at offset " + partitionEnd
                            + ", so there is nothing at offset " + at.firstOffset());
                }
            }
            consumer.seek(tp, at.firstOffset());
            while (!assembly.complete()) {
                if (System.nanoTime() > deadline) {
                    throw assembly.fail("not all chunks were read within " + timeout + "; " + assembly.missing());
                }
                long position = consumer.position(tp, ModelLog.remaining(deadline));
                if (position >= end) {
                    end = consumer.endOffsets(List.of(tp), ModelLog.remaining(deadline)).get(tp);
                    // Records past the last stable offset belong to open transactions, or to one whose commit
                    // markers are still on their way (a reader may see a version's record just before its
                    // chunks): wait for those. With none, nothing more can come.
                    if (position >= end && position >= highWatermark.get(deadline)) {
                        throw assembly.fail("read to the end of partition " + at.partition() + " (offset " + position + "); "
                                + assembly.missing());
                    }
                }
                for (ConsumerRecord<String, ArtifactChunk> r : poll(consumer, assembly)) {
                    assembly.add(r.offset(), r.value());
                    if (assembly.complete()) {
                        break;
                    }
                }
            }
            return assembly;
        } catch (ArtifactFetchException e) {
            throw e;
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            throw new ArtifactFetchException(at.version(), at.toUri(), "reading from Kafka failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArtifactFetchException(at.version(), at.toUri(), "interrupted", e);
        }
    }

    private ConsumerRecords<String, ArtifactChunk> poll(KafkaConsumer<String, ArtifactChunk> consumer, ArtifactAssembly assembly)
            throws ArtifactFetchException {
        try {
            return consumer.poll(POLL);
        } catch (OffsetOutOfRangeException e) {
            throw assembly.fail("partition " + e.offsetOutOfRangePartitions().keySet() + " does not hold offset "
                    + e.offsetOutOfRangePartitions().values() + " (deleted, or never written)");
        } catch (RecordDeserializationException e) {
            throw assembly.fail("the record at offset " + e.offset() + " is not an artifact chunk: " + e.getCause(), e);
        }
    }

    /**
     * The high watermark of one partition, the end of its records including those of open transactions,
     * which a read_committed consumer cannot tell. Asked of an admin client made only when needed: a fetch
     * that reads its artifact without reaching the partition's end never needs one.
     */
    private final class HighWatermark implements AutoCloseable {
        private final TopicPartition tp;
        private Admin admin;

        HighWatermark(TopicPartition tp) {
            this.tp = tp;
        }

        long get(long deadline) throws ExecutionException, InterruptedException, TimeoutException {
            if (admin == null) {
                admin = Admin.create(platform.clientProperties());
            }
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .partitionResult(tp).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).offset();
        }

        @Override
        public void close() {
            if (admin != null) {
                admin.close();
            }
        }
    }

    /**
     * Renames the complete {@code temp} to {@code target} in one step. Where another process installed the
     * same version first, its copy is kept if it is sound.
     */
    private static Path install(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            if (Files.isDirectory(target) && ArtifactCache.damage(target).isEmpty()) {
                return target;
            }
            throw new IOException("cannot move the fetched artifact " + temp + " to " + target + ": " + e, e);
        }
    }
}
