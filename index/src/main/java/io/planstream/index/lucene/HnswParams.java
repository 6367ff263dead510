package io.planstream.index.lucene;

import java.io.IOException;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * How the HNSW graph of a {@link VectorIndex} is built, with the names Elasticsearch's
 * {@code dense_vector} {@code index_options} use.
 *
 * <ul>
 *   <li>{@code m}: neighbours each node keeps per graph layer (twice that on the bottom layer);
 *       Lucene's {@code maxConn}. More means better recall and a bigger, slower-to-build graph.</li>
 *   <li>{@code efConstruction}: candidates tracked while the neighbours of a new node are chosen;
 *       Lucene's {@code beamWidth}. More means a better graph and a slower build.</li>
 *   <li>{@code int8}: vectors are also stored scalar-quantised to one byte per dimension (Lucene's
 *       7-bit quantisation, Elasticsearch's {@code int8_hnsw}); the graph is built and searched on
 *       the bytes, a quarter of the memory. Scores are then approximate; the float vectors stay on
 *       disk for {@link VectorIndex#vector(String)} and merges.</li>
 * </ul>
 *
 * <p>The upper limits are Lucene's, {@link Lucene99HnswVectorsFormat#MAXIMUM_MAX_CONN} (512) and
 * {@link Lucene99HnswVectorsFormat#MAXIMUM_BEAM_WIDTH} (3200); the format refuses more. As in
 * Elasticsearch, {@code efConstruction} may be smaller than {@code m} (the build then keeps fewer
 * neighbours than it could). The lower bound of {@code m} is 2 rather than Lucene's 1: with one
 * neighbour per upper layer the graph degenerates into chains.
 */
public record HnswParams(int m, int efConstruction, boolean int8) {

    public static final int DEFAULT_M = Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN;
    public static final int DEFAULT_EF_CONSTRUCTION = Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH;
    public static final int MIN_M = 2;
    /** Lucene's {@code MAXIMUM_MAX_CONN}. */
    public static final int MAX_M = Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN;
    public static final int MIN_EF_CONSTRUCTION = 1;
    /** Lucene's {@code MAXIMUM_BEAM_WIDTH}. */
    public static final int MAX_EF_CONSTRUCTION = Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH;

    public HnswParams {
        if (m < MIN_M || m > MAX_M) {
            throw new IllegalArgumentException("m must be between " + MIN_M + " and " + MAX_M + ", got " + m);
        }
        if (efConstruction < MIN_EF_CONSTRUCTION || efConstruction > MAX_EF_CONSTRUCTION) {
            throw new IllegalArgumentException("efConstruction must be between " + MIN_EF_CONSTRUCTION + " and "
                    + MAX_EF_CONSTRUCTION + ", got " + efConstruction);
        }
    }

    /** m 16, efConstruction 100, float vectors: Lucene's and Elasticsearch's defaults. */
    public static HnswParams defaults() {
        return new HnswParams(DEFAULT_M, DEFAULT_EF_CONSTRUCTION, false);
    }

    /**
     * The one place where these settings become Lucene's: {@code m} is {@code maxConn},
     * {@code efConstruction} is {@code beamWidth}. The format accepts vectors of up to
     * {@link VectorIndex#MAX_DIMENSIONS} dimensions (Lucene's own formats stop at 1024).
     */
    public KnnVectorsFormat vectorsFormat() {
        KnnVectorsFormat format = int8
                ? new Lucene99HnswScalarQuantizedVectorsFormat(m, efConstruction)
                : new Lucene99HnswVectorsFormat(m, efConstruction);
        return new WiderFormat(format);
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
