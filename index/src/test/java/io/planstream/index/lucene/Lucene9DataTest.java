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

    @Test
    void shouldReadAVectorIndexWrittenByLucene9AndRewriteItOnMerge() throws Exception {
        Path dir = copyFixture("v1");
        assertThat(SegmentInfos.readLatestCommit(FSDirectory.open(dir)).getIndexCreatedVersionMajor()).isEqualTo(9);
        try (VectorIndex index = VectorIndex.open(dir, 8, HnswParams.defaults())) {
            assertThat(index.rebuilt()).isFalse();
            assertThat(index.committedOffsets()).isEqualTo(Map.of(0, 12L, 1, 8L));
            assertThat(index.numDocs()).isEqualTo(20);
            float[] v7 = index.vector("plan-7").orElseThrow();
            List<VectorIndex.Hit> hits = index.search(v7, 3, 20, null);
            assertThat(hits.get(0).id()).isEqualTo("plan-7");
            assertThat(hits.get(0).score()).isGreaterThan(0.9999f);

            index.upsert("plan-new", v7, 1L, null);
            index.commit(Map.of(0, 13L, 1, 8L));
            index.forceMerge(1);
            index.commit(Map.of(0, 13L, 1, 8L));
        }
        SegmentInfos merged = SegmentInfos.readLatestCommit(FSDirectory.open(dir));
        assertThat(merged.getMinSegmentLuceneVersion().major).isEqualTo(Version.LATEST.major);
        try (VectorIndex index = VectorIndex.open(dir, 8, HnswParams.defaults())) {
            assertThat(index.numDocs()).isEqualTo(21);
            assertThat(index.committedOffsets()).isEqualTo(Map.of(0, 13L, 1, 8L));
            assertThat(index.search(index.vector("plan-7").orElseThrow(), 2, 20, null))
                    .extracting(VectorIndex.Hit::id).containsExactlyInAnyOrder("plan-7", "plan-new");
        }
    }

    @Test
    void shouldReadAnImageCatalogWrittenByLucene9() throws Exception {
        Path dir = copyFixture("catalog");
        try (ImageCatalogIndex catalog = ImageCatalogIndex.open(dir, 16)) {
            assertThat(catalog.rebuilt()).isFalse();
            assertThat(catalog.size()).isEqualTo(3);
            assertThat(catalog.committedOffsets()).isEqualTo(Map.of(0, 3L));
            assertThat(catalog.find("plan-1").orElseThrow().metadata()).containsEntry("rooms.total", "4");
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
