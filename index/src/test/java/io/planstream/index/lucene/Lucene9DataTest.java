package io.planstream.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.index.catalog.ImageCatalogIndex;

/**
 * A data directory written by the project's previous release, on Lucene 9.12.3 (src/test/resources/lucene9:
 * a vector index of 20 images of 8 dimensions committed at offsets {0: 12, 1: 8}, and an image catalog of
 * three images committed at {0: 3}), opens on Lucene 10 without a rebuild and keeps serving.
 */
class Lucene9DataTest {

    @TempDir
    Path tmp;

    /**
     * Lucene 10 reads the segments of that release (the backward codecs), but its documents lack the attributes that
     * filters search: the index is rebuilt from the topic (rebuilt() tells the index role to replay it), once.
     */
    @Test
    void shouldRebuildAVectorIndexWrittenByTheLucene9Release() throws Exception {
        Path dir = copyFixture("v1");
        assertThat(SegmentInfos.readLatestCommit(FSDirectory.open(dir)).getIndexCreatedVersionMajor()).isEqualTo(9);
        float[] v = {1, 0, 0, 0, 0, 0, 0, 0};
        try (VectorIndex index = VectorIndex.open(dir, 8, HnswParams.defaults())) {
            assertThat(index.rebuilt()).isTrue();
            assertThat(index.numDocs()).isZero();
            assertThat(index.committedOffsets()).isEmpty();
            index.upsert("plan-7", v, 1L, null, "RPLAN", Map.of("rooms.total", "4"));
            index.commit(Map.of(0, 1L));
        }
        assertThat(SegmentInfos.readLatestCommit(FSDirectory.open(dir)).getIndexCreatedVersionMajor())
                .isEqualTo(Version.LATEST.major);
        try (VectorIndex index = VectorIndex.open(dir, 8, HnswParams.defaults())) {
            assertThat(index.rebuilt()).isFalse();
            assertThat(index.numDocs()).isEqualTo(1);
            assertThat(index.search(v, new VectorIndex.KnnRequest(1, 10, 0, null,
                    io.planstream.index.filter.Filter.parseAll(List.of("rooms.total:4")), null)))
                    .extracting(VectorIndex.Hit::id).containsExactly("plan-7");
        }
    }

    /**
     * The catalog of that release lacks the listing order and the filter fields: it is rebuilt from the images
     * topic (rebuilt() tells the index to replay it from the start), once.
     */
    @Test
    void shouldRebuildAnImageCatalogWrittenByTheLucene9Release() throws Exception {
        Path dir = copyFixture("catalog");
        try (ImageCatalogIndex catalog = ImageCatalogIndex.open(dir, 16)) {
            assertThat(catalog.rebuilt()).isTrue();
            assertThat(catalog.size()).isZero();
            assertThat(catalog.committedOffsets()).isEmpty();
            catalog.commit(Map.of(0, 0L));
        }
        try (ImageCatalogIndex catalog = ImageCatalogIndex.open(dir, 16)) {
            assertThat(catalog.rebuilt()).isFalse();
        }
    }

    private Path copyFixture(String name) throws IOException, URISyntaxException {
        Path from = Path.of(getClass().getResource("/lucene9/" + name).toURI());
        Path to = tmp.resolve(name);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
