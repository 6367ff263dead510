package io.planstream.index.lucene;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.NRTCachingDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.Version;
import org.apache.lucene.util.VectorUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /** Commit user data: the vector dimension, and the next offset per Kafka partition. */
    static final String DIMENSION_KEY = "planstream.dimension";
    /**
     * Commit user data: the documents carry the filterable attributes ({@link Attributes}). An index
     * without it holds documents that filters cannot see, and is rebuilt from the topic.
     */
    static final String ATTRIBUTES_KEY = "planstream.attributes";
    static final String OFFSET_KEY_PREFIX = "planstream.next-offset.";

    /**
     * Indexing buffer. Larger buffers mean fewer, larger segments, and every merge of segments
     * rebuilds the smaller ones' graphs into the largest one's; 128 MB holds about 100,000 vectors
     * of 128 dimensions with their graph. A refresh flushes whatever is buffered anyway, so in
     * steady state the buffer is far from full.
     */
    private static final double RAM_BUFFER_MB = 128;
    /** Flushed or merged segments up to this size stay in memory until a commit (see {@link #directory}). */
    private static final double NRT_CACHE_SEGMENT_MB = 4;
    /** At most this much of them. */
    private static final double NRT_CACHE_MB = 32;

    /** Lucene's file names: segments_N, pending_segments_N, per-segment files _N..., write.lock. */
    private static final Pattern INDEX_FILE = Pattern.compile(
            "segments(_[0-9a-z]+)?|pending_segments_[0-9a-z]+|" + IndexFileNames.CODEC_FILE_PATTERN.pattern() + "|"
                    + Pattern.quote(IndexWriter.WRITE_LOCK_NAME));

    private static final Logger LOG = LoggerFactory.getLogger(VectorIndex.class);

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
    private volatile Map<Integer, Long> committedOffsets;

    private VectorIndex(Path path, int dimension, HnswParams params, boolean rebuilt, Directory directory,
                        IndexWriter writer, SearcherManager searchers, Map<Integer, Long> committedOffsets) {
        this.path = path;
        this.dimension = dimension;
        this.params = params;
        this.rebuilt = rebuilt;
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        this.vectorType = KnnFloatVectorField.createFieldType(dimension, VectorSimilarityFunction.DOT_PRODUCT);
        this.committedOffsets = committedOffsets;
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
        Files.createDirectories(dir);
        Directory directory = directory(dir);
        try {
            String[] files = Arrays.stream(directory.listAll())
                    .filter(f -> !f.equals(IndexWriter.WRITE_LOCK_NAME))
                    .toArray(String[]::new);
            if (files.length == 0) {
                return openOn(dir, directory, dimension, params, false);
            }
            try {
                if (SegmentInfos.getLastCommitGeneration(files) < 0) {
                    throw new CorruptIndexException("files but no commit: " + String.join(", ", files), dir.toString());
                }
                SegmentInfos last = SegmentInfos.readLatestCommit(directory);
                Map<String, String> stored = last.getUserData();
                if (stored.containsKey(DIMENSION_KEY) && !stored.containsKey(ATTRIBUTES_KEY) && last.totalMaxDoc() > 0) {
                    List<Path> indexFiles = indexFiles(dir, null);
                    LOG.info("Index {} was written by an earlier release (Lucene {}), whose documents lack the attributes that"
                            + " filters search; deleting it and rebuilding it from the topic", dir,
                            last.getMinSegmentLuceneVersion());
                    return reopenEmpty(dir, directory, indexFiles, dimension, params);
                }
                noteOlderLucene(last, dir, "vector index");
                return openOn(dir, directory, dimension, params, false);
            } catch (IndexFormatTooOldException e) {
                List<Path> indexFiles = indexFiles(dir, e);
                LOG.warn("Index {} was written by a Lucene older than this Lucene {} can read ({}); deleting it and"
                        + " rebuilding it from the topic", dir, Version.LATEST, e.getMessage());
                return reopenEmpty(dir, directory, indexFiles, dimension, params);
            } catch (CorruptIndexException | IndexFormatTooNewException | EOFException
                     | NoSuchFileException | FileNotFoundException e) {
                List<Path> indexFiles = indexFiles(dir, e);
                LOG.warn("Index {} is damaged ({}); deleting it and starting empty, to be rebuilt from the topic", dir, e.toString());
                return reopenEmpty(dir, directory, indexFiles, dimension, params);
            }
        } catch (Throwable t) {
            IOUtils.closeWhileHandlingException(directory);
            throw t;
        }
    }

    /**
     * The index's folder, with the small segments that refreshes flush kept in memory until a commit writes
     * them or a merge takes them in (Lucene's near-real-time set-up): a refresh then costs milliseconds.
     */
    private static Directory directory(Path dir) throws IOException {
        return new NRTCachingDirectory(FSDirectory.open(dir), NRT_CACHE_SEGMENT_MB, NRT_CACHE_MB);
    }

    private static VectorIndex reopenEmpty(Path dir, Directory directory, List<Path> indexFiles, int dimension,
                                           HnswParams params) throws IOException {
        directory.close();
        for (Path f : indexFiles) {
            Files.deleteIfExists(f);
        }
        Directory fresh = directory(dir);
        try {
            return openOn(dir, fresh, dimension, params, true);
        } catch (Throwable t) {
            IOUtils.closeWhileHandlingException(fresh);
            throw t;
        }
    }

    /**
     * Says so in the log when the last commit of the index in {@code dir} holds segments of an older
     * Lucene major version: they are read as they are (Lucene's backward codecs), new segments are
     * written by this version, and merges rewrite the old ones.
     */
    public static void noteOlderLucene(SegmentInfos infos, Path dir, String what) {
        Version oldest = infos.getMinSegmentLuceneVersion();
        if (infos.getIndexCreatedVersionMajor() < Version.LATEST.major || (oldest != null && oldest.major < Version.LATEST.major)) {
            LOG.info("The {} in {} was written by Lucene {}: read as it is, without a rebuild; new segments are written"
                    + " by Lucene {}, and merges rewrite the old ones", what, dir,
                    oldest != null ? oldest : infos.getIndexCreatedVersionMajor() + ".x", Version.LATEST);
        }
    }

    private static VectorIndex openOn(Path path, Directory directory, int dimension, HnswParams params, boolean rebuilt)
            throws IOException {
        boolean create = !DirectoryReader.indexExists(directory);
        IndexWriter writer = null;
        SearcherManager searchers = null;
        try {
            writer = new IndexWriter(directory, config(params, create));
            Map<Integer, Long> offsets;
            if (create) {
                writer.setLiveCommitData(Map.of(DIMENSION_KEY, Integer.toString(dimension), ATTRIBUTES_KEY, "1").entrySet());
                writer.commit();
                offsets = Map.of();
            } else {
                offsets = readCommitData(path, writer, dimension);
            }
            searchers = new SearcherManager(writer, true, false, null);
            verifyChecksums(searchers);
            return new VectorIndex(path, dimension, params, rebuilt, directory, writer, searchers, offsets);
        } catch (Throwable t) {
            IOUtils.closeWhileHandlingException(searchers, writer);
            throw t;
        }
    }

    private static IndexWriterConfig config(HnswParams params, boolean create) {
        KnnVectorsFormat format = params.vectorsFormat();
        Codec codec = new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
        return new IndexWriterConfig()
                .setCodec(codec)
                .setOpenMode(create ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.APPEND)
                .setCommitOnClose(false)
                // A refresh must not wait for merges of the small segments it flushed (Lucene waits up to 500 ms by
                // default; measured: p99 of a one-document refresh 204 ms with it, 20 ms without and without the
                // compound file that would copy each flushed segment once more). Merges run in the background.
                .setMaxFullFlushMergeWaitMillis(0)
                .setUseCompoundFile(false)
                .setRAMBufferSizeMB(RAM_BUFFER_MB);
    }

    /** The offsets of the last commit, after checking that it is ours and of this dimension. */
    private static Map<Integer, Long> readCommitData(Path path, IndexWriter writer, int dimension) throws IOException {
        Map<String, String> data = new TreeMap<>();
        Iterable<Map.Entry<String, String>> live = writer.getLiveCommitData();
        if (live != null) {
            live.forEach(e -> data.put(e.getKey(), e.getValue()));
        }
        String stored = data.get(DIMENSION_KEY);
        if (stored == null) {
            throw new IllegalArgumentException(path + " holds a Lucene index that is not a vector index of this project"
                    + " (its commit has no " + DIMENSION_KEY + ")");
        }
        Map<Integer, Long> offsets = new TreeMap<>();
        try {
            int storedDimension = Integer.parseInt(stored);
            if (storedDimension != dimension) {
                throw new IllegalArgumentException("the index in " + path + " has " + storedDimension
                        + " dimensions, asked for " + dimension);
            }
            for (Map.Entry<String, String> e : data.entrySet()) {
                if (e.getKey().startsWith(OFFSET_KEY_PREFIX)) {
                    offsets.put(Integer.parseInt(e.getKey().substring(OFFSET_KEY_PREFIX.length())), Long.parseLong(e.getValue()));
                }
            }
        } catch (NumberFormatException e) {
            throw new CorruptIndexException("unreadable commit data " + data, path.toString(), e);
        }
        return Collections.unmodifiableMap(offsets);
    }

    /** Reads every file of every segment once and checks its checksum: damage shows now, not in a search. */
    private static void verifyChecksums(SearcherManager searchers) throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                leaf.reader().checkIntegrity();
            }
        } finally {
            searchers.release(searcher);
        }
    }

    /**
     * Deletes the index in {@code dir} and the folder itself, e.g. when its model version retires.
     * The index must be closed. Returns false when there was no such folder.
     *
     * @throws IOException when the folder holds anything that is not a Lucene index file (then
     *         nothing is deleted), or a file cannot be deleted
     */
    public static boolean deleteIndex(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (Path f : indexFiles(dir, null)) {
            Files.delete(f);
        }
        Files.delete(dir);
        return true;
    }

    /**
     * The files in {@code dir}, after checking that all are Lucene's: this class never deletes
     * anything else, e.g. when pointed at the wrong folder.
     *
     * @param cause why the files are to be deleted, for the message; may be null
     */
    private static List<Path> indexFiles(Path dir, Exception cause) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.toList();
        }
        List<String> foreign = files.stream()
                .filter(f -> !Files.isRegularFile(f) || !INDEX_FILE.matcher(f.getFileName().toString()).matches())
                .map(f -> f.getFileName().toString())
                .sorted()
                .toList();
        if (!foreign.isEmpty()) {
            throw new IOException("refusing to delete " + dir + (cause == null ? "" : ", which is no readable index,")
                    + ": it holds " + foreign + ", which are not Lucene index files", cause);
        }
        return files;
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
        Map<Integer, Long> offsets = new TreeMap<>();
        nextOffsets.forEach((partition, offset) -> {
            if (partition == null || partition < 0 || offset == null || offset < 0) {
                throw new IllegalArgumentException("offsets must map partitions >= 0 to offsets >= 0, got "
                        + partition + " -> " + offset);
            }
            offsets.put(partition, offset);
        });
        Map<String, String> data = new TreeMap<>();
        data.put(DIMENSION_KEY, Integer.toString(dimension));
        data.put(ATTRIBUTES_KEY, "1");
        offsets.forEach((p, o) -> data.put(OFFSET_KEY_PREFIX + p, Long.toString(o)));
        writer.setLiveCommitData(data.entrySet());
        writer.commit();
        committedOffsets = Collections.unmodifiableMap(offsets);
    }

    /** The offsets stored by the last commit; empty for a new or rebuilt index. */
    public Map<Integer, Long> committedOffsets() {
        return committedOffsets;
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
        IndexSearcher searcher = searchers.acquire();
        try {
            return searcher.getIndexReader();
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
     * <p>Each segment's graph is searched straight through its reader rather than through a
     * {@link KnnFloatVectorQuery}, which would rewrite into a second query and search again to score
     * what the graph already scored: at tens of microseconds a search, that is a fifth of the time.
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
        int extra = request.excludeId() == null ? 0 : 1;
        int window = request.from() + request.k() + extra;
        IndexSearcher searcher = searchers.acquire();
        try {
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            Query filter = Attributes.query(request.filters(), searcher.getIndexReader());
            int n = request.candidates() + extra;
            ScoreDoc[] candidates = filter == null ? candidates(leaves, unit, n)
                    : searcher.search(new KnnFloatVectorQuery(VECTOR_FIELD, unit, n, filter), n).scoreDocs;
            ScoreDoc[] top = params.type().quantised()
                    ? rescore(leaves, candidates, unit, window)
                    : Arrays.copyOf(candidates, Math.min(window, candidates.length));
            String[] ids = ids(leaves, top);
            List<Hit> hits = new ArrayList<>(Math.min(request.k(), top.length));
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
                    hits.add(new Hit(ids[i], cosine));
                }
            }
            return hits;
        } finally {
            searchers.release(searcher);
        }
    }

    /**
     * The best {@code n} live documents of every segment by the graph's score (top-level doc ids),
     * best first, ties by doc id.
     */
    private static ScoreDoc[] candidates(List<LeafReaderContext> leaves, float[] query, int n) throws IOException {
        if (leaves.size() == 1) {
            LeafReader reader = leaves.get(0).reader();
            return reader.searchNearestVectors(VECTOR_FIELD, query, n,
                    AcceptDocs.fromLiveDocs(reader.getLiveDocs(), reader.maxDoc()), Integer.MAX_VALUE).scoreDocs;
        }
        List<ScoreDoc> all = new ArrayList<>();
        for (LeafReaderContext leaf : leaves) {
            LeafReader reader = leaf.reader();
            TopDocs top = reader.searchNearestVectors(VECTOR_FIELD, query, n,
                    AcceptDocs.fromLiveDocs(reader.getLiveDocs(), reader.maxDoc()), Integer.MAX_VALUE);
            for (ScoreDoc sd : top.scoreDocs) {
                all.add(new ScoreDoc(sd.doc + leaf.docBase, sd.score));
            }
        }
        all.sort(BEST_FIRST);
        return all.subList(0, Math.min(n, all.size())).toArray(ScoreDoc[]::new);
    }

    private static final Comparator<ScoreDoc> BEST_FIRST =
            (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc);

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
                values = leaf.reader().getFloatVectorValues(VECTOR_FIELD);
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
                values = leaf.reader().getBinaryDocValues(ID_FIELD);
            }
            if (values == null || !values.advanceExact(doc - leaf.docBase)) {
                throw new IllegalStateException("document " + doc + " of " + leaf + " has no id");
            }
            ids[(int) o] = values.binaryValue().utf8ToString();
        }
        return ids;
    }

    /**
     * The stored vector of an image (L2-normalised, as indexed), or empty for an unknown id. Sees
     * what the last {@link #refresh()} made visible.
     */
    public Optional<float[]> vector(String id) throws IOException {
        BytesRef term = checkId(id);
        IndexSearcher searcher = searchers.acquire();
        try {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                int doc = liveDoc(leaf.reader(), term);
                if (doc != DocIdSetIterator.NO_MORE_DOCS) {
                    FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR_FIELD);
                    KnnVectorValues.DocIndexIterator docs = values == null ? null : values.iterator();
                    if (docs == null || docs.advance(doc) != doc) {
                        throw new IllegalStateException("document of " + id + " in " + leaf + " has no vector");
                    }
                    return Optional.of(values.vectorValue(docs.index()).clone());
                }
            }
            return Optional.empty();
        } finally {
            searchers.release(searcher);
        }
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
        java.util.Random random = new java.util.Random(seed);
        List<Stored> reservoir = new ArrayList<>(Math.min(max, 1024));
        long seen = 0;
        IndexSearcher searcher = searchers.acquire();
        try {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR_FIELD);
                BinaryDocValues ids = leaf.reader().getBinaryDocValues(ID_FIELD);
                if (values == null || ids == null) {
                    continue;
                }
                Bits live = leaf.reader().getLiveDocs();
                KnnVectorValues.DocIndexIterator docs = values.iterator();
                for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                    if (live != null && !live.get(doc)) {
                        continue;
                    }
                    seen++;
                    int slot = reservoir.size() < max ? -1 : (int) Math.min(Integer.MAX_VALUE, random.nextLong(seen));
                    if (slot >= max) {
                        continue;
                    }
                    if (!ids.advanceExact(doc)) {
                        throw new IllegalStateException("document " + doc + " of " + leaf + " has no id");
                    }
                    Stored s = new Stored(ids.binaryValue().utf8ToString(), values.vectorValue(docs.index()).clone());
                    if (slot < 0) {
                        reservoir.add(s);
                    } else {
                        reservoir.set(slot, s);
                    }
                }
            }
            return reservoir;
        } finally {
            searchers.release(searcher);
        }
    }

    /** Whether the image is in the index, as of the last {@link #refresh()}. */
    public boolean contains(String id) throws IOException {
        BytesRef term = checkId(id);
        IndexSearcher searcher = searchers.acquire();
        try {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                if (liveDoc(leaf.reader(), term) != DocIdSetIterator.NO_MORE_DOCS) {
                    return true;
                }
            }
            return false;
        } finally {
            searchers.release(searcher);
        }
    }

    /** The live document with this id in the segment, or NO_MORE_DOCS. */
    private static int liveDoc(LeafReader reader, BytesRef id) throws IOException {
        Terms terms = reader.terms(ID_FIELD);
        if (terms == null) {
            return DocIdSetIterator.NO_MORE_DOCS;
        }
        TermsEnum te = terms.iterator();
        if (!te.seekExact(id)) {
            return DocIdSetIterator.NO_MORE_DOCS;
        }
        Bits live = reader.getLiveDocs();
        PostingsEnum postings = te.postings(null, PostingsEnum.NONE);
        for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
            if (live == null || live.get(doc)) {
                return doc;
            }
        }
        return DocIdSetIterator.NO_MORE_DOCS;
    }

    /** Number of images, as of the last {@link #refresh()}. */
    public int numDocs() throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            return searcher.getIndexReader().numDocs();
        } finally {
            searchers.release(searcher);
        }
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
