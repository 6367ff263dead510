package io.planstream.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.IntPredicate;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link GraphSearch} finds exactly what Lucene's own search of the segment finds (the same
 * documents, in the same order, with the same scores) where it searches itself, and hands the
 * other cases back to Lucene.
 */
class GraphSearchTest {

    private static final int DIMENSION = 24;
    private static final int DOCS = 3000;
    private static final String FIELD = VectorIndex.VECTOR_FIELD;

    @TempDir
    Path dir;

    /** Plain and int8 graphs, with none, a tenth and half of the documents deleted. */
    @ParameterizedTest(name = "{0}, every {1}th document deleted")
    @CsvSource({"HNSW, 0", "HNSW, 10", "HNSW, 2", "INT8_HNSW, 0"})
    void shouldFindWhatLuceneFinds(HnswParams.Type type, int deleteEvery) throws IOException {
        try (Directory d = index(type, deleteEvery)) {
            assertSameAsLucene(d, n -> true);
        }
    }

    @Test
    void shouldLeaveASegmentWithFewerLiveDocumentsThanTheGraphWouldVisitToLucenesExhaustiveSearch() throws IOException {
        // 150 of 3,000 live: a graph search for 40 hits would visit more (Lucene's expectedVisitedNodes).
        try (Directory d = index(HnswParams.Type.HNSW, -20)) {
            assertSameAsLucene(d, n -> HnswGraphSearcher.expectedVisitedNodes(n, DOCS) < DOCS / 20);
        }
    }

    @Test
    void shouldLeaveAllHitsOfASmallSegmentToLucenesExhaustiveSearch() throws IOException {
        try (Directory d = index(HnswParams.Type.HNSW, 0); DirectoryReader reader = DirectoryReader.open(d)) {
            LeafReader leaf = reader.leaves().get(0).reader();
            assertThat(GraphSearch.searchDense(leaf, FIELD, vector(new Random(5)), DOCS)).isNull();
            assertThat(GraphSearch.search(leaf, FIELD, vector(new Random(5)), DOCS).scoreDocs).hasSize(DOCS);
        }
    }

    /**
     * One segment with a graph; every {@code deleteEvery}-th document deleted (none for 0), or for a
     * negative value every document but each {@code -deleteEvery}-th.
     */
    private Directory index(HnswParams.Type type, int deleteEvery) throws IOException {
        Directory d = new MMapDirectory(dir.resolve(type + "-" + deleteEvery));
        Random random = new Random(7);
        try (IndexWriter writer = new IndexWriter(d, config(type))) {
            for (int i = 0; i < DOCS; i++) {
                Document doc = new Document();
                doc.add(new StringField("id", Integer.toString(i), Field.Store.NO));
                doc.add(new KnnFloatVectorField(FIELD, vector(random), VectorSimilarityFunction.DOT_PRODUCT));
                writer.addDocument(doc);
            }
            writer.forceMerge(1);
        }
        // No merges while deleting: a merge would drop the deleted documents and, with them, the graph.
        try (IndexWriter writer = new IndexWriter(d, config(type).setMergePolicy(NoMergePolicy.INSTANCE))) {
            for (int i = 0; deleteEvery != 0 && i < DOCS; i++) {
                if (deleteEvery > 0 ? i % deleteEvery == 0 : i % -deleteEvery != 0) {
                    writer.deleteDocuments(new Term("id", Integer.toString(i)));
                }
            }
            writer.commit();
        }
        return d;
    }

    private static IndexWriterConfig config(HnswParams.Type type) {
        KnnVectorsFormat format = new HnswParams(type, 16, 100, 1).vectorsFormat();
        return new IndexWriterConfig().setCodec(new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        });
    }

    private static void assertSameAsLucene(Directory d, IntPredicate searchedHere) throws IOException {
        try (DirectoryReader reader = DirectoryReader.open(d)) {
            assertThat(reader.leaves()).hasSize(1);
            LeafReader leaf = reader.leaves().get(0).reader();
            assertThat(leaf.maxDoc()).isEqualTo(DOCS);
            Random random = new Random(11);
            for (int q = 0; q < 50; q++) {
                float[] query = vector(random);
                for (int n : new int[] {1, 10, 40}) {
                    TopDocs lucene = leaf.searchNearestVectors(FIELD, query, n,
                            AcceptDocs.fromLiveDocs(leaf.getLiveDocs(), leaf.maxDoc()), Integer.MAX_VALUE);
                    TopDocs dense = GraphSearch.searchDense(leaf, FIELD, query, n);
                    if (searchedHere.test(n)) {
                        assertThat(dense).as("searched with the dense visited set, n %d", n).isNotNull();
                    } else {
                        assertThat(dense).as("left to Lucene, n %d", n).isNull();
                    }
                    TopDocs ours = GraphSearch.search(leaf, FIELD, query, n);
                    assertThat(ours.scoreDocs).hasSize(lucene.scoreDocs.length).hasSizeGreaterThan(0);
                    for (int i = 0; i < lucene.scoreDocs.length; i++) {
                        assertThat(ours.scoreDocs[i].doc).as("query %d, n %d, hit %d", q, n, i).isEqualTo(lucene.scoreDocs[i].doc);
                        assertThat(ours.scoreDocs[i].score).isEqualTo(lucene.scoreDocs[i].score);
                        if (leaf.getLiveDocs() != null) {
                            assertThat(leaf.getLiveDocs().get(ours.scoreDocs[i].doc)).as("a live hit").isTrue();
                        }
                    }
                }
            }
        }
    }

    private static float[] vector(Random random) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return VectorUtil.l2normalize(v);
    }
}
