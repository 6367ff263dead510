package io.planstream.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.junit.jupiter.api.Test;

import io.planstream.index.lucene.HnswParams.Type;

class HnswParamsTest {

    @Test
    void shouldDefaultToLuceneAndElasticsearchDefaults() {
        HnswParams p = HnswParams.defaults();
        assertThat(p.m()).isEqualTo(16);
        assertThat(p.efConstruction()).isEqualTo(100);
        assertThat(p.type()).isEqualTo(HnswParams.DEFAULT_TYPE);
        assertThat(p.mergeWorkers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(HnswParams.MAX_M).isEqualTo(512);
        assertThat(HnswParams.MAX_EF_CONSTRUCTION).isEqualTo(3200);
    }

    @Test
    void shouldNameTheFieldAndValueOfABadSetting() {
        assertThatThrownBy(() -> new HnswParams(Type.HNSW, 0, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("m must be between 2 and 512, got 0");
        assertThatThrownBy(() -> new HnswParams(Type.HNSW, 513, 100))
                .hasMessage("m must be between 2 and 512, got 513");
        assertThatThrownBy(() -> new HnswParams(Type.HNSW, 16, 0))
                .hasMessage("efConstruction must be between 1 and 3200, got 0");
        assertThatThrownBy(() -> new HnswParams(Type.INT8_HNSW, 16, 3201))
                .hasMessage("efConstruction must be between 1 and 3200, got 3201");
        assertThatThrownBy(() -> new HnswParams(Type.HNSW, 16, 100, 0))
                .hasMessage("mergeWorkers must be between 1 and 256, got 0");
        assertThatThrownBy(() -> new HnswParams(null, 16, 100, 1)).hasMessage("type must be given");
    }

    @Test
    void shouldParseElasticsearchTypeNamesAndListThemWhenUnknown() {
        assertThat(Type.parse("hnsw")).isEqualTo(Type.HNSW);
        assertThat(Type.parse("int8_hnsw")).isEqualTo(Type.INT8_HNSW);
        assertThat(Type.parse(" INT4_HNSW ")).isEqualTo(Type.INT4_HNSW);
        assertThat(Type.parse("bbq_hnsw")).isEqualTo(Type.BBQ_HNSW);
        assertThatThrownBy(() -> Type.parse("flat"))
                .hasMessage("index type must be one of [hnsw, int8_hnsw, int4_hnsw, bbq_hnsw], got 'flat'");
        assertThat(Type.HNSW.quantised()).isFalse();
        assertThat(Type.BBQ_HNSW.quantised()).isTrue();
    }

    @Test
    void shouldWriteFlatSegmentsForABulkLoadAndKeepEverythingElse() {
        HnswParams p = new HnswParams(Type.INT4_HNSW, 8, 50, 2);
        HnswParams flat = p.flat();
        assertThat(flat.type()).isEqualTo(Type.INT4_HNSW);
        assertThat(flat.m()).isEqualTo(8);
        assertThat(flat.mergeWorkers()).isEqualTo(2);
        assertThat(flat.graphThreshold()).isEqualTo(Integer.MAX_VALUE);
        assertThat(p.graphThreshold()).isEqualTo(HnswParams.DEFAULT_GRAPH_THRESHOLD);
        assertThat(flat.toString()).endsWith(", flat)");
        assertThatThrownBy(() -> new HnswParams(Type.HNSW, 16, 100, 1, -1)).hasMessage("graphThreshold must be at least 0, got -1");
    }

    @Test
    void shouldAcceptTheLimitsLikeElasticsearch() {
        assertThat(new HnswParams(Type.HNSW, 2, 1).efConstruction()).isEqualTo(1);
        assertThat(new HnswParams(Type.INT8_HNSW, 512, 3200).m()).isEqualTo(512);
    }

    @Test
    void shouldMapToLuceneFormatsThatAcceptWideVectors() {
        KnnVectorsFormat floats = new HnswParams(Type.HNSW, 16, 100, 2).vectorsFormat();
        KnnVectorsFormat int8 = new HnswParams(Type.INT8_HNSW, 8, 50, 1).vectorsFormat();
        KnnVectorsFormat int4 = new HnswParams(Type.INT4_HNSW, 8, 50, 1).vectorsFormat();
        KnnVectorsFormat bbq = new HnswParams(Type.BBQ_HNSW, 8, 50, 1).vectorsFormat();
        assertThat(floats.getName()).isEqualTo("Lucene99HnswVectorsFormat");
        assertThat(floats.toString()).contains("maxConn=16").contains("beamWidth=100");
        assertThat(int8.getName()).isEqualTo(Lucene104HnswScalarQuantizedVectorsFormat.NAME);
        assertThat(int8.toString()).contains("maxConn=8").contains("beamWidth=50").contains("UNSIGNED_BYTE");
        assertThat(int4.toString()).contains("PACKED_NIBBLE");
        assertThat(bbq.toString()).contains("SINGLE_BIT_QUERY_NIBBLE");
        for (KnnVectorsFormat f : new KnnVectorsFormat[] {floats, int8, int4, bbq}) {
            assertThat(f.getMaxDimensions("vector")).isEqualTo(VectorIndex.MAX_DIMENSIONS);
        }
    }
}
