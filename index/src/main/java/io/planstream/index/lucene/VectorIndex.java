package io.planstream.index.lucene;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOFunction;
import org.apache.lucene.util.IOUtils;

import io.planstream.index.filter.Attributes;
import io.planstream.index.filter.Filter;

/**
 * One Lucene HNSW index of the embeddings of one model version, in one directory.
 *
 * <p>A document per image: its {@code id} (indexed, stored, and as binary doc values for reading
 * hits back), its L2-normalised vector ({@link VectorSimilarityFunction#DOT_PRODUCT}, so the score
 * is the cosine similarity), {@code embed_time} and, where known, {@code upload_time} (stored,
 * epoch milliseconds).
 *
 * <p>Durability follows Kafka: only {@link #commit(Map)} persists data, and each commit stores the
 * partition offsets at which the index's data ends, so a restarted index resumes consuming exactly
 * there ({@link #committedOffsets()}). Closing without a commit drops what came after the last
 * commit on purpose: the caller consumes it again. A damaged index is deleted and recreated empty
 * on {@link #open}, and {@link #rebuilt()} tells the caller to replay its topic from the start.
 *
 * <p>Visibility is near-real-time: {@link #upsert} and {@link #delete} become visible to
 * {@link #search}, {@link #contains}, {@link #vector} and {@link #numDocs} after the next
 * {@link #refresh()}, which the caller schedules (every 200 ms, say).
 *
 * <p>Threads: one writer thread calls {@link #commit}, {@link #refresh} and {@link #forceMerge};
 * {@link #upsert} and {@link #delete} may come from several threads at once (each indexing thread
 * builds a segment and its graph of its own, so a bulk load uses every core); any number of threads
 * may read at the same time. Each read holds a reference to one point-in-time searcher for its
 * duration, never across calls.
 *
 * <p>This class is the facade: it checks the arguments, writes, and hands each read its searcher. The
 * rest is done by package-private helpers: {@code IndexFolder} opens the folder (the writer's
 * configuration, the commit data, the rebuild of a damaged index) and deletes it, {@code KnnSearch}
 * runs the kNN search on a searcher, and {@code StoredVectors} reads stored vectors and ids back.
 */
public final class VectorIndex implements AutoCloseable {

    /** Largest vector dimension, as Elasticsearch's {@code dense_vector} (Lucene's formats stop at 1024). */
    public static final int MAX_DIMENSIONS = 4096;
    /** Largest {@code numCandidates} of a search, as Elasticsearch's kNN search. */
    public static final int MAX_NUM_CANDIDATES = 10_000;
    /** Longest id in UTF-8 bytes (the upload API allows 128 characters). */
    public static final int MAX_ID_BYTES = 512;

    public static final String ID_FIELD = "id";
    public static final String VECTOR_FIELD = "vector";
    public static final String EMBED_TIME_FIELD = "embed_time";
    public static final String UPLOAD_TIME_FIELD = "upload_time";

    /** A search result: the image id and the cosine similarity of its vector to the query, in [-1, 1]. */
    public record Hit(String id, float score) {
    }

    private final Path path;
    private final int dimension;
    private final HnswParams params;
    private final boolean rebuilt;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final FieldType vectorType;
    private volatile IndexFolder.Committed committed;

    private VectorIndex(Path path, int dimension, HnswParams params, IndexFolder.Opened opened) {
        this.path = path;
        this.dimension = dimension;
        this.params = params;
        this.rebuilt = opened.rebuilt();
        this.directory = opened.directory();
        this.writer = opened.writer();
        this.searchers = opened.searchers();
        this.vectorType = KnnFloatVectorField.createFieldType(dimension, VectorSimilarityFunction.DOT_PRODUCT);
        this.committed = opened.committed();
    }

    /**
     * Opens the index in {@code dir}, or creates it there (with its parent folders). An existing
     * index must have {@code dimension}; {@code params} apply to segments written from now on.
     *
     * <p>A damaged index (unreadable or missing files, failed checksums, a format this Lucene cannot
     * read, files without a commit) is logged, deleted and recreated empty; {@link #rebuilt()} is
     * then true. Opening reads every file once to verify its checksums, so that damage shows here
     * rather than in a search: a sequential read of the whole index.
     *
     * @throws IllegalArgumentException for a dimension outside 1..{@value #MAX_DIMENSIONS}, or
     *         another dimension than the existing index's
     * @throws IOException when the folder cannot be used: another process holds the index, it
     *         holds files that are not Lucene's, permissions, a full disk
     */
    public static VectorIndex open(Path dir, int dimension, HnswParams params) throws IOException {
        if (dimension < 1 || dimension > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("dimension must be between 1 and " + MAX_DIMENSIONS + ", got " + dimension);
        }
        Objects.requireNonNull(params, "params");
        return new VectorIndex(dir, dimension, params, IndexFolder.open(dir, dimension, params));
    }

    /**
     * Says so in the log when the last commit of the index in {@code dir} holds segments of an older
     * Lucene major version: they are read as they are (Lucene's backward codecs), new segments are
     * written by this version, and merges rewrite the old ones.
     */
    public static void noteOlderLucene(SegmentInfos infos, Path dir, String what) {
        IndexFolder.noteOlderLucene(infos, dir, what);
    }

    /**
     * Deletes the index in {@code dir} and the folder itself, e.g. when its model version retires.
     * The index must be closed. Returns false when there was no such folder.
     *
     * @throws IOException when the folder holds anything that is not a Lucene index file (then
     *         nothing is deleted), or a file cannot be deleted
     */
    public static boolean deleteIndex(Path dir) throws IOException {
        return IndexFolder.deleteIndex(dir);
    }

    /**
     * Adds the image, or replaces the document of the same id. Visible after the next
     * {@link #refresh()}, durable after the next {@link #commit}. The vector is copied and
     * L2-normalised; the caller's array is not changed.
     *
     * @throws IllegalArgumentException for an empty or too long id, a vector of another dimension,
     *         with a NaN or infinite value, or of zero norm
     */
    public void upsert(String id, float[] vector, long embedTimeMillis, Long uploadTimeMillis) throws IOException {
        upsert(id, vector, embedTimeMillis, uploadTimeMillis, null, Map.of());
    }

    /**
     * Adds the image with its filterable attributes ({@link Attributes}: the format, every metadata
     * key, the upload time), or replaces the document of the same id.
     *
     * @param format the image's format, or null when unknown
     * @param metadata its metadata, possibly empty
     * @see #upsert(String, float[], long, Long)
     */
    public void upsert(String id, float[] vector, long embedTimeMillis, Long uploadTimeMillis, String format,
                       Map<String, String> metadata) throws IOException {
        BytesRef idBytes = checkId(id);
        float[] unit = unitCopy(vector, "vector");
        Document doc = new Document();
        doc.add(new StringField(ID_FIELD, id, Field.Store.YES));
        doc.add(new BinaryDocValuesField(ID_FIELD, idBytes));
        doc.add(new KnnFloatVectorField(VECTOR_FIELD, unit, vectorType));
        doc.add(new StoredField(EMBED_TIME_FIELD, embedTimeMillis));
        if (uploadTimeMillis != null) {
            doc.add(new StoredField(UPLOAD_TIME_FIELD, uploadTimeMillis.longValue()));
        }
        Attributes.fields(format, metadata, uploadTimeMillis).forEach(doc::add);
        writer.updateDocument(new Term(ID_FIELD, idBytes), doc);
    }

    /** Removes the image if present. Visible after the next {@link #refresh()}. */
    public void delete(String id) throws IOException {
        writer.deleteDocuments(new Term(ID_FIELD, checkId(id)));
    }

    /**
     * Persists everything added so far together with {@code nextOffsets}, partition to the offset
     * of the next record to consume: the complete map, as it replaces the previous one.
     */
    public void commit(Map<Integer, Long> nextOffsets) throws IOException {
        commit(nextOffsets, committed.sources());
    }

    /**
     * As {@link #commit(Map)}, with {@code sources}: partition of the records' source topic to the highest
     * source offset this index holds (the upload tokens it has indexed), the complete map as well.
     */
    public void commit(Map<Integer, Long> nextOffsets, Map<Integer, Long> sources) throws IOException {
        IndexFolder.Committed next = new IndexFolder.Committed(checkedOffsets(nextOffsets), checkedOffsets(sources));
        writer.setLiveCommitData(IndexFolder.commitData(dimension, next).entrySet());
        writer.commit();
        committed = next;
    }

    private static Map<Integer, Long> checkedOffsets(Map<Integer, Long> offsets) {
        Map<Integer, Long> out = new TreeMap<>();
        offsets.forEach((partition, offset) -> {
            if (partition == null || partition < 0 || offset == null || offset < 0) {
                throw new IllegalArgumentException("offsets must map partitions >= 0 to offsets >= 0, got "
                        + partition + " -> " + offset);
            }
            out.put(partition, offset);
        });
        return out;
    }

    /** The offsets stored by the last commit; empty for a new or rebuilt index. */
    public Map<Integer, Long> committedOffsets() {
        return committed.nextOffsets();
    }

    /** The source positions stored by the last commit ({@link #commit(Map, Map)}); empty where none were. */
    public Map<Integer, Long> committedSources() {
        return committed.sources();
    }

    /**
     * Makes what was added or deleted so far visible to searches. Returns true when searches now
     * see changes they did not see before.
     */
    public boolean refresh() throws IOException {
        IndexReader before = currentReader();
        searchers.maybeRefreshBlocking();
        return currentReader() != before;
    }

    private IndexReader currentReader() throws IOException {
        return read(IndexSearcher::getIndexReader);
    }

    /** Runs {@code work} on the current point-in-time searcher, holding a reference to it only meanwhile. */
    private <T> T read(IOFunction<IndexSearcher, T> work) throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            return work.apply(searcher);
        } finally {
            searchers.release(searcher);
        }
    }

    /** Merges down to at most {@code maxSegments} segments, waiting for the merges. Costly: rebuilds graphs. */
    public void forceMerge(int maxSegments) throws IOException {
        if (maxSegments < 1) {
            throw new IllegalArgumentException("maxSegments must be at least 1, got " + maxSegments);
        }
        writer.forceMerge(maxSegments);
    }

    /**
     * The {@code k} images most similar to {@code query}, best first, as Elasticsearch's kNN search
     * does it: the HNSW graph gathers {@code numCandidates} candidates, of which the best {@code k}
     * are returned (more candidates, better recall, slower).
     *
     * <p>{@code excludeId} (nullable) leaves out one image, typically the query image itself: the
     * search gathers one candidate more and drops it, which is far cheaper than a filtered search.
     *
     * <p>The score is the cosine similarity, in [-1, 1]: Lucene's dot-product score of unit vectors
     * is (1 + cosine) / 2, converted back here.
     *
     * <p>In a {@link HnswParams.Type#quantised() quantised} index the graph search scores the
     * quantised vectors, which caps recall whatever numCandidates: so all {@code numCandidates}
     * candidates are scored again with their float vectors, and the best {@code k} by that exact
     * cosine are returned, as Elasticsearch's {@code rescore_vector} does.
     *
     * @throws IllegalArgumentException unless {@code 1 <= k <= numCandidates <=} {@value #MAX_NUM_CANDIDATES},
     *         and for a query of another dimension, with a NaN or infinite value, or of zero norm
     */
    public List<Hit> search(float[] query, int k, int numCandidates, String excludeId) throws IOException {
        return search(query, new KnnRequest(k, numCandidates, 0, excludeId, List.of(), null));
    }

    /**
     * A kNN search with everything Elasticsearch's takes: a page ({@code from}, {@code k}), filters and
     * a minimum score.
     *
     * @param k hits per page
     * @param numCandidates candidates the graph gathers per segment; at least {@code from + k} are
     *        gathered whatever this says
     * @param from hits to skip: the pages of one query are slices of one ranked list, the same on
     *        every page as long as {@code numCandidates >= from + k} and the index does not change
     * @param excludeId an image to leave out (the query image itself), or null
     * @param filters conditions every hit meets ({@link Attributes}); they are applied inside the graph
     *        search (Lucene's filtered kNN query, which searches exactly where the filter is very
     *        selective), so {@code k} hits come back whenever {@code from + k} images match
     * @param minScore the lowest cosine a hit may have, or null
     */
    public record KnnRequest(int k, int numCandidates, int from, String excludeId, List<Filter> filters, Float minScore) {
        public KnnRequest {
            checkKnnArgs(k, numCandidates);
            if (from < 0 || (long) from + k > MAX_RESULT_WINDOW) {
                throw new IllegalArgumentException("from must be at least 0 and from + k at most " + MAX_RESULT_WINDOW
                        + ", got from " + from + " and k " + k);
            }
            if (minScore != null && !(minScore >= -1 && minScore <= 1)) {
                throw new IllegalArgumentException("minScore must be a cosine between -1 and 1, got " + minScore);
            }
            filters = filters == null ? List.of() : List.copyOf(filters);
        }

        /** Candidates to gather: enough for the page. */
        int candidates() {
            return Math.max(numCandidates, from + k);
        }
    }

    /** Deepest hit a page may reach ({@code from + k}), as Elasticsearch's {@code index.max_result_window}. */
    public static final int MAX_RESULT_WINDOW = 10_000;

    /**
     * The hits of {@code request} for {@code query}, best first.
     *
     * @throws IllegalArgumentException for a query of another dimension, with a NaN or infinite value,
     *         or of zero norm; {@link io.planstream.index.filter.InvalidFilterException} for a filter
     *         on a field this index does not hold or of the wrong kind
     * @see #search(float[], int, int, String)
     */
    public List<Hit> search(float[] query, KnnRequest request) throws IOException {
        float[] unit = unitCopy(query, "query");
        return read(searcher -> KnnSearch.search(searcher, unit, request, params.type().quantised()));
    }

    /**
     * The stored vector of an image (L2-normalised, as indexed), or empty for an unknown id. Sees
     * what the last {@link #refresh()} made visible.
     */
    public Optional<float[]> vector(String id) throws IOException {
        BytesRef term = checkId(id);
        return read(searcher -> StoredVectors.vector(searcher.getIndexReader(), term, id));
    }

    /** The most vectors {@link #sample(int, long)} returns: enough for a picture of the space, bounded in memory. */
    public static final int MAX_SAMPLE = 10_000;

    /** An image's stored vector, as {@link #sample(int, long)} returns it. */
    public record Stored(String id, float[] vector) {
    }

    /**
     * A uniform sample of at most {@code max} images with their vectors (a seeded reservoir over the live
     * documents, so the same index and seed give the same sample), as of the last {@link #refresh()}.
     */
    public List<Stored> sample(int max, long seed) throws IOException {
        if (max < 1 || max > MAX_SAMPLE) {
            throw new IllegalArgumentException("sample must be between 1 and " + MAX_SAMPLE + ", got " + max);
        }
        return read(searcher -> StoredVectors.sample(searcher.getIndexReader(), max, seed));
    }

    /** Whether the image is in the index, as of the last {@link #refresh()}. */
    public boolean contains(String id) throws IOException {
        BytesRef term = checkId(id);
        return read(searcher -> StoredVectors.contains(searcher.getIndexReader(), term));
    }

    /** Number of images, as of the last {@link #refresh()}. */
    public int numDocs() throws IOException {
        return read(searcher -> searcher.getIndexReader().numDocs());
    }

    public int dimension() {
        return dimension;
    }

    public HnswParams params() {
        return params;
    }

    public Path directory() {
        return path;
    }

    /** Whether {@link #open} found the index damaged and started it afresh: replay the topic from the start. */
    public boolean rebuilt() {
        return rebuilt;
    }

    /** Closes searches and the writer. What was not committed is dropped. */
    @Override
    public void close() throws IOException {
        IOUtils.close(searchers, writer, directory);
    }

    /**
     * Checks the sizes of a kNN search as Elasticsearch does: {@code 1 <= k <= numCandidates <=}
     * {@value #MAX_NUM_CANDIDATES}. For callers that want to refuse a request before searching.
     */
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

    private static BytesRef checkId(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id must not be empty");
        }
        BytesRef bytes = new BytesRef(id);
        if (bytes.length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("id must be at most " + MAX_ID_BYTES + " bytes in UTF-8, got " + bytes.length);
        }
        return bytes;
    }

    /** A unit-length copy of {@code v}, after checking its dimension and values; {@code what} names it in messages. */
    private float[] unitCopy(float[] v, String what) {
        Objects.requireNonNull(v, what);
        if (v.length != dimension) {
            throw new IllegalArgumentException(what + " has " + v.length + " dimensions, the index has " + dimension);
        }
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] is " + v[i] + ", values must be finite");
            }
            sum += (double) v[i] * v[i];
        }
        if (sum == 0) {
            throw new IllegalArgumentException(what + " has norm 0, it cannot be normalised");
        }
        double scale = 1 / Math.sqrt(sum);
        float[] unit = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            unit[i] = (float) (v[i] * scale);
        }
        return unit;
    }

    @Override
    public String toString() {
        return "VectorIndex[" + path + ", " + dimension + " dimensions, " + params + "]";
    }
}
