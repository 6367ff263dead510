package io.planstream.index.lucene;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedDeque;

import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.NeighborQueue;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * One segment's HNSW search by Lucene's own {@link HnswGraphSearcher}, with the same graph, scorer,
 * entry point and accepted documents as {@link LeafReader#searchNearestVectors}, so the same hits in
 * the same order, but with a dense visited set taken from a pool instead of a new sparse one.
 *
 * <p>Why not Lucene's call alone: {@code searchNearestVectors} gives every search a new
 * {@code SparseFixedBitSet} of the graph's size, and marking a visited node in it was a tenth of a
 * search's time at 100,000 x 128 (a JFR profile), more than clearing a {@link FixedBitSet} of
 * 12.5 KB. With the pooled set the same searches answered about a fifth more queries per second
 * (docs/RESULTS.md, issue 19). Lucene offers no option for it, so this class calls the searcher
 * itself where the dense set is the cheaper one, and hands every other case back to Lucene:
 * segments without a graph (searched exhaustively), searches Lucene would do exhaustively, segments
 * with so many deletions that Lucene switches to its filtered searcher, and segments above
 * {@link #MAX_DENSE_NODES} nodes, whose dense set would cost more to clear than it saves.
 */
final class GraphSearch {

    /**
     * The largest graph searched with a dense visited set: Lucene clears the set twice a search
     * (the upper layers, then the bottom one), 64 KB each at this size.
     */
    static final int MAX_DENSE_NODES = 1 << 19;

    /** Visited sets returned by finished searches: at most one per thread that searched at once. */
    private static final ConcurrentLinkedDeque<FixedBitSet> VISITED = new ConcurrentLinkedDeque<>();

    private GraphSearch() {
    }

    /**
     * The best {@code n} live documents of {@code reader} for {@code query} by its graph, as
     * {@code reader.searchNearestVectors(field, query, n, liveDocs, Integer.MAX_VALUE)} finds them
     * (segment doc ids, best first); that call itself where this class does not search (see above).
     */
    static TopDocs search(LeafReader reader, String field, float[] query, int n) throws IOException {
        TopDocs own = searchDense(reader, field, query, n);
        return own != null ? own : reader.searchNearestVectors(field, query, n,
                AcceptDocs.fromLiveDocs(reader.getLiveDocs(), reader.maxDoc()), Integer.MAX_VALUE);
    }

    /** The search with a dense visited set, or null where Lucene's own search should run. */
    static TopDocs searchDense(LeafReader reader, String field, float[] query, int n) throws IOException {
        if (!(reader instanceof CodecReader codec)
                || !(codec.getVectorReader() instanceof PerFieldKnnVectorsFormat.FieldsReader perField)) {
            return null;
        }
        KnnVectorsReader fieldReader = perField.getFieldReader(field);
        if (!(fieldReader instanceof Lucene99HnswVectorsReader hnsw)) {
            return null;
        }
        HnswGraph graph = hnsw.getGraph(field);
        int size = graph.size();
        if (size == 0 || size > MAX_DENSE_NODES || n < 1) {
            return null;
        }
        RandomVectorScorer scorer = hnsw.getFlatVectorsReader().getRandomVectorScorer(field, query);
        // Lucene's choices, in its order: an exhaustive search where the graph would visit as many
        // vectors as are live, its filtered searcher where many are deleted.
        int live = Math.min(reader.numDocs(), size);
        Bits liveDocs = reader.getLiveDocs();
        if (n >= scorer.maxOrd() || HnswGraphSearcher.expectedVisitedNodes(n, size) >= live
                || (liveDocs != null && KnnSearchStrategy.Hnsw.DEFAULT.useFilteredSearch((float) live / size))) {
            return null;
        }
        FixedBitSet visited = VISITED.pollFirst();
        if (visited == null || visited.length() < size) {
            // a set too small for this graph is dropped; the new one goes back to the pool in its place
            visited = new FixedBitSet(size);
        }
        try {
            TopKnnCollector collector = new TopKnnCollector(n, Integer.MAX_VALUE);
            new HnswGraphSearcher(new NeighborQueue(n, true), visited)
                    .search(collector, scorer, graph, scorer.getAcceptOrds(liveDocs));
            TopDocs top = collector.topDocs();
            for (ScoreDoc sd : top.scoreDocs) {
                sd.doc = scorer.ordToDoc(sd.doc);
            }
            return top;
        } finally {
            VISITED.offerFirst(visited);
        }
    }
}
