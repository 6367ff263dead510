package io.planstream.index.service;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.planstream.index.lucene.VectorIndex;
import io.planstream.platform.UploadToken;

/**
 * One version's index with a reference count: queries hold a reference while they search, so retiring a
 * version never closes an index under a running query; the last release closes it and deletes its files.
 */
final class VersionHandle {

    final int version;
    final VectorIndex index;
    /** Next offset per embeddings partition from which records still apply to this index (its data ends there). */
    private final Map<Integer, Long> start;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile boolean deleteOnClose;
    volatile boolean dirty;
    volatile long embedderLag = -1;
    volatile boolean everActive;
    /** Indexed up to the end of its backfill once: this replica reported it ready to the cluster. */
    volatile boolean ready;
    /** Per images partition, the highest upload offset applied here (searchable after the next refresh). */
    private final Map<Integer, Long> appliedSources;
    /** Per images partition, the highest upload offset searchable here: the upload tokens this version has reached. */
    private volatile Map<Integer, Long> searchableSources;

    VersionHandle(int version, VectorIndex index) {
        this.version = version;
        this.index = index;
        this.start = new HashMap<>(index.committedOffsets());
        this.appliedSources = new ConcurrentHashMap<>(index.committedSources());
        this.searchableSources = Map.copyOf(appliedSources);
    }

    /** An embedding computed from the upload at {@code offset} of images partition {@code partition} was applied. */
    void appliedSource(Integer partition, Long offset) {
        if (partition != null && offset != null && partition >= 0 && offset >= 0) {
            appliedSources.merge(partition, offset, Math::max);
        }
    }

    /** Whether the upload at {@code token}, and every one before it in its partition, is searchable in this version. */
    boolean reached(UploadToken token) {
        return searchableSources.getOrDefault(token.partition(), -1L) >= token.offset();
    }

    /** Whether the embeddings record at {@code offset} of {@code partition} is not in this index yet. */
    boolean applies(int partition, long offset) {
        return offset >= start.getOrDefault(partition, 0L);
    }

    long start(int partition) {
        return start.getOrDefault(partition, 0L);
    }

    /** The offsets to commit: the consumer's positions, never behind what this index already holds. */
    Map<Integer, Long> offsetsAt(Map<Integer, Long> positions) {
        Map<Integer, Long> out = new HashMap<>(start);
        positions.forEach((p, o) -> out.merge(p, o, Math::max));
        return out;
    }

    // The index's I/O failures are unexpected here (a full disk, a vanished directory): they surface as
    // UncheckedIOException to the reader thread or the query that met them.

    void upsert(String id, float[] vector, long embedTime, Long uploadTime, String format, Map<String, String> metadata) {
        io(() -> {
            index.upsert(id, vector, embedTime, uploadTime, format, metadata);
            return null;
        });
    }

    void delete(String id) {
        io(() -> {
            index.delete(id);
            return null;
        });
    }

    void commit(Map<Integer, Long> offsets) {
        io(() -> {
            index.commit(offsets, Map.copyOf(appliedSources));
            return null;
        });
    }

    void refresh() {
        // What was applied before the refresh is searchable after it.
        Map<Integer, Long> applied = Map.copyOf(appliedSources);
        io(index::refresh);
        searchableSources = applied;
    }

    java.util.List<VectorIndex.Hit> search(float[] query, VectorIndex.KnnRequest request) {
        return io(() -> index.search(query, request));
    }


    java.util.Optional<float[]> vector(String id) {
        return io(() -> index.vector(id));
    }

    java.util.List<VectorIndex.Stored> sample(int max, long seed) {
        return io(() -> index.sample(max, seed));
    }

    boolean contains(String id) {
        return io(() -> index.contains(id));
    }

    int numDocs() {
        return io(index::numDocs);
    }

    private interface IoCall<T> {
        T call() throws java.io.IOException;
    }

    private static <T> T io(IoCall<T> call) {
        try {
            return call.call();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    boolean acquire() {
        while (true) {
            int n = refs.get();
            if (n == 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            io(() -> {
                index.close();
                if (deleteOnClose) {
                    VectorIndex.deleteIndex(index.directory());
                }
                return null;
            });
        }
    }

    /** Gives up the owner's reference; the files go once the last query has released the index. */
    void retire(boolean delete) {
        deleteOnClose = delete;
        release();
    }
}
