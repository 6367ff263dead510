package io.planstream.index.lucene;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.VectorUtil;

import io.planstream.index.filter.Attributes;

/**
 * The kNN search of a {@link VectorIndex} on one point-in-time searcher: the graph's candidates, their
 * float vectors' scores in a quantised index, the page, and the ids of its hits.
 */
final class KnnSearch {

    private static final Comparator<ScoreDoc> BEST_FIRST =
            (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc);

    private KnnSearch() {
    }

    /**
     * The hits of {@code request} for the unit vector {@code query}, best first, as
     * {@link VectorIndex#search(float[], VectorIndex.KnnRequest)} describes.
     *
     * @param rescore whether the graph scores quantised vectors, so that the candidates are scored again
     *        with their float vectors
     */
    static List<VectorIndex.Hit> search(IndexSearcher searcher, float[] query, VectorIndex.KnnRequest request,
                                        boolean rescore) throws IOException {
        int extra = request.excludeId() == null ? 0 : 1;
        int window = request.from() + request.k() + extra;
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        Query filter = Attributes.query(request.filters(), searcher.getIndexReader());
        int n = request.candidates() + extra;
        ScoreDoc[] candidates = filter == null ? candidates(leaves, query, n)
                : searcher.search(new KnnFloatVectorQuery(VectorIndex.VECTOR_FIELD, query, n, filter), n).scoreDocs;
        ScoreDoc[] top = rescore
                ? rescore(leaves, candidates, query, window)
                : Arrays.copyOf(candidates, Math.min(window, candidates.length));
        String[] ids = ids(leaves, top);
        List<VectorIndex.Hit> hits = new ArrayList<>(Math.min(request.k(), top.length));
        int skipped = 0;
        for (int i = 0; i < top.length && hits.size() < request.k(); i++) {
            if (ids[i].equals(request.excludeId())) {
                continue;
            }
            float cosine = 2 * top[i].score - 1;
            if (request.minScore() != null && cosine < request.minScore()) {
                break;
            }
            if (skipped++ >= request.from()) {
                hits.add(new VectorIndex.Hit(ids[i], cosine));
            }
        }
        return hits;
    }

    /**
     * The best {@code n} live documents of every segment by the graph's score (top-level doc ids),
     * best first, ties by doc id.
     *
     * <p>Each segment's graph is searched straight through its reader rather than through a
     * {@link KnnFloatVectorQuery}, which would rewrite into a second query and search again to score
     * what the graph already scored: at tens of microseconds a search, that is a fifth of the time.
     * {@link GraphSearch} runs the graph search itself with a reused visited set.
     */
    private static ScoreDoc[] candidates(List<LeafReaderContext> leaves, float[] query, int n) throws IOException {
        if (leaves.size() == 1) {
            return GraphSearch.search(leaves.get(0).reader(), VectorIndex.VECTOR_FIELD, query, n).scoreDocs;
        }
        List<ScoreDoc> all = new ArrayList<>();
        for (LeafReaderContext leaf : leaves) {
            TopDocs top = GraphSearch.search(leaf.reader(), VectorIndex.VECTOR_FIELD, query, n);
            for (ScoreDoc sd : top.scoreDocs) {
                all.add(new ScoreDoc(sd.doc + leaf.docBase, sd.score));
            }
        }
        all.sort(BEST_FIRST);
        return all.subList(0, Math.min(n, all.size())).toArray(ScoreDoc[]::new);
    }

    /**
     * The best {@code n} of {@code candidates} by the dot product of their float vectors with
     * {@code query}, as Lucene scores ((1 + dot) / 2), best first.
     */
    private static ScoreDoc[] rescore(List<LeafReaderContext> leaves, ScoreDoc[] candidates, float[] query, int n)
            throws IOException {
        ScoreDoc[] byDoc = candidates.clone();
        Arrays.sort(byDoc, Comparator.comparingInt(sd -> sd.doc));
        LeafReaderContext leaf = null;
        FloatVectorValues values = null;
        KnnVectorValues.DocIndexIterator docs = null;
        for (ScoreDoc sd : byDoc) {
            if (leaf == null || sd.doc >= leaf.docBase + leaf.reader().maxDoc()) {
                leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
                values = leaf.reader().getFloatVectorValues(VectorIndex.VECTOR_FIELD);
                docs = values == null ? null : values.iterator();
            }
            int doc = sd.doc - leaf.docBase;
            if (docs == null || docs.advance(doc) != doc) {
                throw new IllegalStateException("document " + sd.doc + " of " + leaf + " has no vector");
            }
            sd.score = Math.max((1 + VectorUtil.dotProduct(query, values.vectorValue(docs.index()))) / 2, 0);
        }
        Arrays.sort(byDoc, BEST_FIRST);
        return Arrays.copyOf(byDoc, Math.min(n, byDoc.length));
    }

    /**
     * The ids of the hits, read from doc values: one forward-only iterator per segment, visited in
     * document order. Stored fields would decompress a block of documents per hit.
     */
    private static String[] ids(List<LeafReaderContext> leaves, ScoreDoc[] hits) throws IOException {
        long[] order = new long[hits.length];
        for (int i = 0; i < hits.length; i++) {
            order[i] = (long) hits[i].doc << 32 | i;
        }
        Arrays.sort(order);
        String[] ids = new String[hits.length];
        LeafReaderContext leaf = null;
        BinaryDocValues values = null;
        for (long o : order) {
            int doc = (int) (o >>> 32);
            if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
                leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
                values = leaf.reader().getBinaryDocValues(VectorIndex.ID_FIELD);
            }
            if (values == null || !values.advanceExact(doc - leaf.docBase)) {
                throw new IllegalStateException("document " + doc + " of " + leaf + " has no id");
            }
            ids[(int) o] = values.binaryValue().utf8ToString();
        }
        return ids;
    }
}
