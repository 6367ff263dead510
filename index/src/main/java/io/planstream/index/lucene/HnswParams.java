package io.planstream.index.lucene;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * How the HNSW graph of a {@link VectorIndex} is built and its vectors stored, with the names
 * Elasticsearch's {@code dense_vector} {@code index_options} use.
 *
 * <ul>
 *   <li>{@code type}: {@code hnsw} (float vectors), {@code int8_hnsw}, {@code int4_hnsw} (scalar
 *       quantisation to 8 or 4 bits per dimension) or {@code bbq_hnsw} (binary quantisation, one bit
 *       per dimension, the query at 4 bits); see {@link Type}. The quantised types build and search
 *       the graph on the quantised vectors and keep the float vectors beside them, on which the
 *       candidates are scored again ({@link VectorIndex#search}), as Elasticsearch's
 *       {@code rescore_vector} does.</li>
 *   <li>{@code m}: neighbours each node keeps per graph layer (twice that on the bottom layer);
 *       Lucene's {@code maxConn}. More means better recall and a bigger, slower-to-build graph.</li>
 *   <li>{@code efConstruction}: candidates tracked while the neighbours of a new node are chosen;
 *       Lucene's {@code beamWidth}. More means a better graph and a slower build.</li>
 *   <li>{@code mergeWorkers}: threads that build the merged segment's graph together (Lucene's
 *       concurrent HNSW merge); the default is one per available core.</li>
 * </ul>
 *
 * <p>The upper limits are Lucene's, {@link Lucene99HnswVectorsFormat#MAXIMUM_MAX_CONN} (512) and
 * {@link Lucene99HnswVectorsFormat#MAXIMUM_BEAM_WIDTH} (3200); the format refuses more. As in
 * Elasticsearch, {@code efConstruction} may be smaller than {@code m} (the build then keeps fewer
 * neighbours than it could). The lower bound of {@code m} is 2 rather than Lucene's 1: with one
 * neighbour per upper layer the graph degenerates into chains.
 */
public record HnswParams(Type type, int m, int efConstruction, int mergeWorkers, int graphThreshold) {

    /** Elasticsearch's {@code index_options.type} values that this index supports. */
    public enum Type {
        /** Float vectors, 4 bytes a dimension: exact scores. */
        HNSW("hnsw", null),
        /** Optimised scalar quantisation to one byte a dimension (a quarter of the memory). */
        INT8_HNSW("int8_hnsw", ScalarEncoding.UNSIGNED_BYTE),
        /** Optimised scalar quantisation to four bits a dimension (an eighth). */
        INT4_HNSW("int4_hnsw", ScalarEncoding.PACKED_NIBBLE),
        /**
         * Better binary quantisation: one bit a dimension (a 32nd), the query at four bits. Meant for
         * wide vectors; on narrow ones too much is lost for re-scoring to win back cheaply.
         */
        BBQ_HNSW("bbq_hnsw", ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE);

        private final String esName;
        private final ScalarEncoding encoding;

        Type(String esName, ScalarEncoding encoding) {
            this.esName = esName;
            this.encoding = encoding;
        }

        /** The name Elasticsearch gives this type ({@code int8_hnsw}, ...). */
        public String esName() {
            return esName;
        }

        /** Whether the graph is searched on quantised vectors, so that candidates need re-scoring. */
        public boolean quantised() {
            return encoding != null;
        }

        /**
         * The type named {@code name} as Elasticsearch writes it.
         *
         * @throws IllegalArgumentException for any other name, listing the valid ones
         */
        public static Type parse(String name) {
            for (Type t : values()) {
                if (t.esName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException("index type must be one of " + Arrays.stream(values()).map(Type::esName).toList()
                    + ", got '" + name + "'");
        }

        @Override
        public String toString() {
            return esName;
        }
    }

    /**
     * The type the index uses unless told otherwise: the one that answered the most queries per
     * second at recall@10 >= 0.95 on 100,000 clustered vectors of 128 and of 512 dimensions
     * (docs/RESULTS.md, "Lucene 10").
     */
    public static final String DEFAULT_TYPE_NAME = "hnsw";
    /** {@link #DEFAULT_TYPE_NAME} as a type. */
    public static final Type DEFAULT_TYPE = Type.parse(DEFAULT_TYPE_NAME);
    public static final int DEFAULT_M = Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN;
    public static final int DEFAULT_EF_CONSTRUCTION = Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH;
    public static final int MIN_M = 2;
    /** Lucene's {@code MAXIMUM_MAX_CONN}. */
    public static final int MAX_M = Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN;
    public static final int MIN_EF_CONSTRUCTION = 1;
    /** Lucene's {@code MAXIMUM_BEAM_WIDTH}. */
    public static final int MAX_EF_CONSTRUCTION = Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH;
    /**
     * Lucene's rule: a segment gets a graph where it holds more vectors than a search for this many hits
     * is expected to visit (this times the logarithm of its size); smaller ones are searched exhaustively.
     */
    public static final int DEFAULT_GRAPH_THRESHOLD = Lucene99HnswVectorsFormat.HNSW_GRAPH_THRESHOLD;
    /** A threshold no segment passes: no graph at all. */
    private static final int FLAT = Integer.MAX_VALUE;
    /** More merge workers than this only wait on one another. */
    public static final int MAX_MERGE_WORKERS = 256;

    public HnswParams {
        if (type == null) {
            throw new IllegalArgumentException("type must be given");
        }
        if (m < MIN_M || m > MAX_M) {
            throw new IllegalArgumentException("m must be between " + MIN_M + " and " + MAX_M + ", got " + m);
        }
        if (efConstruction < MIN_EF_CONSTRUCTION || efConstruction > MAX_EF_CONSTRUCTION) {
            throw new IllegalArgumentException("efConstruction must be between " + MIN_EF_CONSTRUCTION + " and "
                    + MAX_EF_CONSTRUCTION + ", got " + efConstruction);
        }
        if (mergeWorkers < 1 || mergeWorkers > MAX_MERGE_WORKERS) {
            throw new IllegalArgumentException("mergeWorkers must be between 1 and " + MAX_MERGE_WORKERS + ", got "
                    + mergeWorkers);
        }
        if (graphThreshold < 0) {
            throw new IllegalArgumentException("graphThreshold must be at least 0, got " + graphThreshold);
        }
    }

    /** These settings with Lucene's rule for which segments get a graph. */
    public HnswParams(Type type, int m, int efConstruction, int mergeWorkers) {
        this(type, m, efConstruction, mergeWorkers, DEFAULT_GRAPH_THRESHOLD);
    }

    /**
     * These settings for the first half of a bulk load: every segment is written flat, without a graph.
     * Reopened with the usual settings, a merge of those segments then builds the one graph from scratch
     * with every merge worker, where building a graph per indexing thread first would have the merge
     * insert most of the vectors a second time.
     */
    public HnswParams flat() {
        return new HnswParams(type, m, efConstruction, mergeWorkers, FLAT);
    }

    /** These settings with merge workers on every available core. */
    public HnswParams(Type type, int m, int efConstruction) {
        this(type, m, efConstruction, defaultMergeWorkers());
    }

    /** The default type, m 16 and efConstruction 100 (Lucene's and Elasticsearch's defaults), a merge worker a core. */
    public static HnswParams defaults() {
        return new HnswParams(DEFAULT_TYPE, DEFAULT_M, DEFAULT_EF_CONSTRUCTION);
    }

    /** One merge worker per core the JVM may use. */
    public static int defaultMergeWorkers() {
        return Math.min(MAX_MERGE_WORKERS, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The one place where these settings become Lucene's: {@code m} is {@code maxConn},
     * {@code efConstruction} is {@code beamWidth}, the type picks the format and its encoding. The
     * format accepts vectors of up to {@link VectorIndex#MAX_DIMENSIONS} dimensions (Lucene's own
     * formats stop at 1024).
     */
    public KnnVectorsFormat vectorsFormat() {
        ExecutorService exec = mergeWorkers > 1 ? MergeThreads.POOL : null;
        int workers = exec == null ? 1 : mergeWorkers;
        KnnVectorsFormat format = type.quantised()
                ? new Lucene104HnswScalarQuantizedVectorsFormat(type.encoding, m, efConstruction, workers, exec, graphThreshold)
                : new Lucene99HnswVectorsFormat(m, efConstruction, workers, exec, graphThreshold);
        return new WiderFormat(format);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(m=%d, efConstruction=%d, mergeWorkers=%d%s)", type, m, efConstruction,
                mergeWorkers, graphThreshold == FLAT ? ", flat" : "");
    }

    /**
     * The threads of concurrent graph merges, shared by every index of the process: a merge asks for
     * at most its {@code mergeWorkers}, and merges of several versions at once share the cores rather
     * than multiplying threads. Daemon threads, created when first needed, so an idle process holds none.
     */
    private static final class MergeThreads {
        static final ExecutorService POOL = Executors.newCachedThreadPool(new ThreadFactory() {
            private final AtomicInteger count = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
                Thread t = new Thread(r, "hnsw-merge-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            }
        });
    }

    /**
     * Lucene's format under its own name, so that segments read back with the stock format, but
     * accepting up to {@link VectorIndex#MAX_DIMENSIONS} dimensions at indexing time (the limit is
     * checked only there), as Elasticsearch does for its 4096.
     */
    private static final class WiderFormat extends KnnVectorsFormat {
        private final KnnVectorsFormat delegate;

        WiderFormat(KnnVectorsFormat delegate) {
            super(delegate.getName());
            this.delegate = delegate;
        }

        @Override
        public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
            return delegate.fieldsWriter(state);
        }

        @Override
        public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
            return delegate.fieldsReader(state);
        }

        @Override
        public int getMaxDimensions(String fieldName) {
            return VectorIndex.MAX_DIMENSIONS;
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
