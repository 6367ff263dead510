package io.planstream.index.lucene;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;

/** TEMPORARY stand-in until the storage layer lands; replaced on merge. */
public record HnswParams(int m, int efConstruction, boolean int8) {
    public static final int DEFAULT_M = 16;
    public static final int DEFAULT_EF_CONSTRUCTION = 100;

    public static HnswParams defaults() {
        return new HnswParams(DEFAULT_M, DEFAULT_EF_CONSTRUCTION, false);
    }

    public KnnVectorsFormat format() {
        return int8 ? new Lucene99HnswScalarQuantizedVectorsFormat(m, efConstruction) : new Lucene99HnswVectorsFormat(m, efConstruction);
    }
}
