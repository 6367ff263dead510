package io.planstream.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.junit.jupiter.api.Test;

class HnswParamsTest {

    @Test
    void shouldDefaultToLuceneAndElasticsearchDefaults() {
        HnswParams p = HnswParams.defaults();
        assertThat(p.m()).isEqualTo(16);
        assertThat(p.efConstruction()).isEqualTo(100);
        assertThat(p.int8()).isFalse();
        assertThat(HnswParams.MAX_M).isEqualTo(512);
        assertThat(HnswParams.MAX_EF_CONSTRUCTION).isEqualTo(3200);
    }

    @Test
    void shouldNameTheFieldAndValueOfABadSetting() {
        assertThatThrownBy(() -> new HnswParams(0, 100, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("m must be between 2 and 512, got 0");
        assertThatThrownBy(() -> new HnswParams(513, 100, false))
                .hasMessage("m must be between 2 and 512, got 513");
        assertThatThrownBy(() -> new HnswParams(16, 0, false))
                .hasMessage("efConstruction must be between 1 and 3200, got 0");
        assertThatThrownBy(() -> new HnswParams(16, 3201, true))
                .hasMessage("efConstruction must be between 1 and 3200, got 3201");
    }

    @Test
    void shouldAcceptTheLimitsLikeElasticsearch() {
        assertThat(new HnswParams(2, 1, false).efConstruction()).isEqualTo(1);
        assertThat(new HnswParams(512, 3200, true).m()).isEqualTo(512);
    }

    @Test
    void shouldMapToLuceneFormatsThatAcceptWideVectors() {
        KnnVectorsFormat floats = HnswParams.defaults().vectorsFormat();
        KnnVectorsFormat bytes = new HnswParams(8, 50, true).vectorsFormat();
        assertThat(floats.getName()).isEqualTo("Lucene99HnswVectorsFormat");
        assertThat(floats.toString()).contains("maxConn=16").contains("beamWidth=100");
        assertThat(bytes.getName()).isEqualTo("Lucene99HnswScalarQuantizedVectorsFormat");
        assertThat(bytes.toString()).contains("maxConn=8").contains("beamWidth=50");
        assertThat(floats.getMaxDimensions("vector")).isEqualTo(VectorIndex.MAX_DIMENSIONS);
    }
}
