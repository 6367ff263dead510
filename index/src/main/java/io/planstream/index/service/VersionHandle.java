package io.planstream.index.service;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.planstream.index.lucene.VectorIndex;

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

    VersionHandle(int version, VectorIndex index) {
        this.version = version;
        this.index = index;
        this.start = new HashMap<>(index.committedOffsets());
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
            index.close();
            if (deleteOnClose) {
                VectorIndex.deleteIndex(index.directory());
            }
        }
    }

    /** Gives up the owner's reference; the files go once the last query has released the index. */
    void retire(boolean delete) {
        deleteOnClose = delete;
        release();
    }
}
