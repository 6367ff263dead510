package io.planstream.index.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

/** TEMPORARY stand-in until the storage layer lands; replaced on merge. */
public final class VectorIndex implements AutoCloseable {
    public static final int MAX_NUM_CANDIDATES = 10_000;
    private static final String ID = "id";
    private static final String VECTOR = "vector";

    public record Hit(String id, float score) {
    }

    private final Path dir;
    private final int dimension;
    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Map<Integer, Long> committed;

    private VectorIndex(Path dir, int dimension, HnswParams params) throws IOException {
        this.dir = dir;
        this.dimension = dimension;
        Files.createDirectories(dir);
        this.directory = FSDirectory.open(dir);
        KnnVectorsFormat format = params.format();
        IndexWriterConfig c = new IndexWriterConfig().setCodec(new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        }).setCommitOnClose(false);
        this.writer = new IndexWriter(directory, c);
        this.committed = new HashMap<>();
        var user = writer.getLiveCommitData();
        if (user != null) {
            for (var e : user) {
                if (e.getKey().startsWith("offset.")) {
                    committed.put(Integer.parseInt(e.getKey().substring(7)), Long.parseLong(e.getValue()));
                }
            }
        }
        this.searchers = new SearcherManager(writer, null);
    }

    public static VectorIndex open(Path dir, int dimension, HnswParams params) {
        try {
            return new VectorIndex(dir, dimension, params);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void checkKnnArgs(int k, int numCandidates) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (numCandidates > MAX_NUM_CANDIDATES) {
            throw new IllegalArgumentException("numCandidates must be at most " + MAX_NUM_CANDIDATES + ", got " + numCandidates);
        }
        if (k > numCandidates) {
            throw new IllegalArgumentException("k must be at most numCandidates (" + numCandidates + "), got " + k);
        }
    }

    public void upsert(String id, float[] vector, long embedTimeMillis, Long uploadTimeMillis) {
        float[] v = vector.clone();
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float inv = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        Document d = new Document();
        d.add(new StringField(ID, id, Field.Store.YES));
        d.add(new KnnFloatVectorField(VECTOR, v, VectorSimilarityFunction.DOT_PRODUCT));
        d.add(new StoredField("embed_time", embedTimeMillis));
        try {
            writer.updateDocument(new Term(ID, id), d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete(String id) {
        try {
            writer.deleteDocuments(new Term(ID, id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void commit(Map<Integer, Long> nextOffsets) {
        Map<String, String> user = new HashMap<>();
        nextOffsets.forEach((p, o) -> user.put("offset." + p, Long.toString(o)));
        user.put("dimension", Integer.toString(dimension));
        writer.setLiveCommitData(user.entrySet());
        try {
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        committed.clear();
        committed.putAll(nextOffsets);
    }

    public Map<Integer, Long> committedOffsets() {
        return Map.copyOf(committed);
    }

    public boolean refresh() {
        try {
            return searchers.maybeRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Hit> search(float[] query, int k, int numCandidates, String excludeId) {
        checkKnnArgs(k, numCandidates);
        try {
            IndexSearcher s = searchers.acquire();
            try {
                int n = excludeId == null ? numCandidates : numCandidates + 1;
                TopDocs top = s.search(new KnnFloatVectorQuery(VECTOR, query, n), n);
                List<Hit> hits = new ArrayList<>();
                var stored = s.storedFields();
                for (ScoreDoc sd : top.scoreDocs) {
                    String id = stored.document(sd.doc).get(ID);
                    if (!id.equals(excludeId)) {
                        hits.add(new Hit(id, 2 * sd.score - 1));
                    }
                }
                hits.sort(Comparator.comparing(Hit::score).reversed());
                return hits.size() > k ? hits.subList(0, k) : hits;
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<float[]> vector(String id) {
        try {
            IndexSearcher s = searchers.acquire();
            try {
                TopDocs top = s.search(new TermQuery(new Term(ID, id)), 1);
                if (top.scoreDocs.length == 0) {
                    return Optional.empty();
                }
                int doc = top.scoreDocs[0].doc;
                for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                    if (doc >= leaf.docBase && doc < leaf.docBase + leaf.reader().maxDoc()) {
                        FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR);
                        if (values.advance(doc - leaf.docBase) == doc - leaf.docBase) {
                            return Optional.of(values.vectorValue().clone());
                        }
                    }
                }
                return Optional.empty();
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean contains(String id) {
        return vector(id).isPresent();
    }

    public int numDocs() {
        try {
            IndexSearcher s = searchers.acquire();
            try {
                return s.getIndexReader().numDocs();
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int dimension() {
        return dimension;
    }

    public Path directory() {
        return dir;
    }

    public boolean rebuilt() {
        return false;
    }

    public static void deleteIndex(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
