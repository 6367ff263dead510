package io.planstream.index.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ImageRecord;
import io.planstream.index.filter.Attributes;
import io.planstream.index.filter.Filter;
import io.planstream.index.lucene.VectorIndex;

/**
 * The images the index knows, one Lucene document per image id with its metadata and thumbnail: a
 * persistent key-value store that shares the vector indexes' commit discipline (the images topic's next
 * offsets travel in every commit, so a restart resumes where the stored data ends).
 */
public final class ImageCatalogIndex implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImageCatalogIndex.class);
    private static final String ID = "id";
    private static final String FORMAT = "format";
    private static final String WIDTH = "width";
    private static final String HEIGHT = "height";
    private static final String FILENAME = "filename";
    private static final String SOURCE = "source";
    private static final String UPLOAD_TIME = "upload_time";
    private static final String THUMBNAIL = "thumbnail";
    private static final String META = "meta.";
    private static final String OFFSET = "offset.";
    /** Doc values of the listing's order: upload time, then id. */
    private static final String UPLOAD_SORT = "upload_sort";
    private static final String ID_SORT = "id_sort";
    /**
     * Commit data that says which fields the documents carry. A catalog without it lacks the listing's
     * order and the filters' fields, and is rebuilt from the images topic once.
     */
    private static final String LAYOUT_KEY = "planstream.catalog.layout";
    private static final String LAYOUT = "2";
    private static final Sort LISTING_ORDER = new Sort(new SortField(UPLOAD_SORT, SortField.Type.LONG),
            new SortField(ID_SORT, SortField.Type.STRING));
    /** Most entries of one listing page. */
    public static final int MAX_PAGE = 1000;

    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Map<Integer, Long> committed = new HashMap<>();
    private final int thumbnailSize;
    private final boolean rebuilt;
    /**
     * Ids put or deleted since the last refresh began, each with the number of its latest change (negative for a
     * deletion): a read of one of them refreshes first, so every read sees every change made before it, while
     * refreshes on a timer can stay rare. A refresh flushes a segment, and at one per 25 ms it took half the CPU of the
     * index's images thread at 50 uploads/s (docs/RESULTS.md).
     */
    private final Map<String, Long> unseen = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();

    private ImageCatalogIndex(Path dir, int thumbnailSize, boolean rebuilt) throws IOException {
        Files.createDirectories(dir);
        this.thumbnailSize = thumbnailSize;
        this.rebuilt = rebuilt;
        this.directory = FSDirectory.open(dir);
        if (DirectoryReader.indexExists(directory)) {
            VectorIndex.noteOlderLucene(SegmentInfos.readLatestCommit(directory), dir, "image catalog");
        }
        this.writer = new IndexWriter(directory, new IndexWriterConfig().setCommitOnClose(false));
        Iterable<Map.Entry<String, String>> data = writer.getLiveCommitData();
        Map<String, String> stored = new HashMap<>();
        if (data != null) {
            data.forEach(e -> stored.put(e.getKey(), e.getValue()));
        }
        if (!stored.isEmpty() && !LAYOUT.equals(stored.get(LAYOUT_KEY)) && writer.getDocStats().numDocs > 0) {
            writer.close();
            directory.close();
            throw new OutdatedLayoutException("the catalog's documents lack the listing order and the filter fields");
        }
        stored.forEach((key, value) -> {
            if (key.startsWith(OFFSET)) {
                committed.put(Integer.parseInt(key.substring(OFFSET.length())), Long.parseLong(value));
            }
        });
        this.searchers = new SearcherManager(writer, null);
    }

    /** A catalog written before its documents carried what listings and filters need. */
    private static final class OutdatedLayoutException extends IOException {
        OutdatedLayoutException(String message) {
            super(message);
        }
    }

    /** Opens the catalog in {@code dir}, or creates it; a damaged one is deleted and starts empty. */
    public static ImageCatalogIndex open(Path dir, int thumbnailSize) {
        try {
            return new ImageCatalogIndex(dir, thumbnailSize, false);
        } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException | java.io.EOFException e) {
            LOG.warn(e instanceof IndexFormatTooOldException
                    ? "image catalog in {} was written by a Lucene older than this one can read ({}); rebuilding it from the images topic"
                    : "image catalog in {} is damaged ({}); rebuilding it from the images topic", dir, e.toString());
            return rebuild(dir, thumbnailSize);
        } catch (OutdatedLayoutException e) {
            LOG.info("image catalog in {} was written by an older release ({}); rebuilding it from the images topic", dir,
                    e.getMessage());
            return rebuild(dir, thumbnailSize);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the image catalog in " + dir, e);
        }
    }

    /** Deletes the catalog in {@code dir} and opens it empty; {@link #rebuilt()} tells the caller to replay the topic. */
    private static ImageCatalogIndex rebuild(Path dir, int thumbnailSize) {
        try {
            VectorIndex.deleteIndex(dir);
            return new ImageCatalogIndex(dir, thumbnailSize, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds or replaces the image's entry and thumbnail. */
    public void put(ImageRecord record) {
        Document d = new Document();
        d.add(new StringField(ID, record.getId(), Field.Store.YES));
        d.add(new StoredField(FORMAT, record.getFormat().name()));
        d.add(new StoredField(WIDTH, record.getWidth()));
        d.add(new StoredField(HEIGHT, record.getHeight()));
        if (record.getFilename() != null) {
            d.add(new StoredField(FILENAME, record.getFilename()));
        }
        d.add(new StoredField(SOURCE, record.getSource()));
        d.add(new StoredField(UPLOAD_TIME, record.getUploadTime().toEpochMilli()));
        record.getMetadata().forEach((k, v) -> d.add(new StoredField(META + k, v)));
        Thumbnails.of(record, thumbnailSize).ifPresent(png -> d.add(new StoredField(THUMBNAIL, new BytesRef(png))));
        d.add(new NumericDocValuesField(UPLOAD_SORT, record.getUploadTime().toEpochMilli()));
        d.add(new SortedDocValuesField(ID_SORT, new BytesRef(record.getId())));
        Attributes.fields(record.getFormat().name(), record.getMetadata(), record.getUploadTime().toEpochMilli()).forEach(d::add);
        try {
            writer.updateDocument(new Term(ID, record.getId()), d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        unseen.put(record.getId(), changes.incrementAndGet());
    }

    public void delete(String id) {
        try {
            writer.deleteDocuments(new Term(ID, id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        unseen.put(id, -changes.incrementAndGet());
    }

    /** Whether the catalog holds the image; unlike {@link #find}, never waits for a refresh. */
    public boolean contains(String id) {
        Long change = unseen.get(id);
        if (change != null) {
            return change > 0;
        }
        try {
            IndexSearcher s = searchers.acquire();
            try {
                return s.count(new TermQuery(new Term(ID, id))) > 0;
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<CatalogEntry> find(String id) {
        return document(id).map(ImageCatalogIndex::entry);
    }

    public Optional<byte[]> thumbnail(String id) {
        return document(id).map(d -> d.getBinaryValue(THUMBNAIL)).map(b -> java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length));
    }

    public void commit(Map<Integer, Long> nextOffsets) {
        Map<String, String> data = new HashMap<>();
        data.put(LAYOUT_KEY, LAYOUT);
        nextOffsets.forEach((p, o) -> data.put(OFFSET + p, Long.toString(o)));
        writer.setLiveCommitData(data.entrySet());
        try {
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        committed.clear();
        committed.putAll(nextOffsets);
    }

    /** Next offset per partition of the images topic as of the last commit; empty for a new catalog. */
    public Map<Integer, Long> committedOffsets() {
        return Map.copyOf(committed);
    }

    public boolean rebuilt() {
        return rebuilt;
    }

    /** Makes every change made so far visible to reads (waiting for a refresh that another thread runs). */
    public void refresh() {
        long upTo = changes.get();
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        unseen.values().removeIf(change -> Math.abs(change) <= upTo);
    }

    /** Whether changes wait for a refresh to be visible. */
    public boolean hasUnseenChanges() {
        return !unseen.isEmpty();
    }

    public int size() {
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

    /** One page of a listing: the entries, and the cursor of the next page (null after the last). */
    public record Page(List<CatalogEntry> entries, String nextCursor) {
    }

    /**
     * The images in upload order (then by id), those matching every filter, {@code limit} at most,
     * after the one {@code cursor} points at (null: from the start). The cursor is opaque to callers:
     * an upload time and an id, so that images uploaded meanwhile never shift a page.
     *
     * @throws IllegalArgumentException for a limit outside 1..{@value #MAX_PAGE} or a malformed cursor;
     *         {@link io.planstream.index.filter.InvalidFilterException} for a bad filter
     */
    public Page list(List<Filter> filters, int limit, String cursor) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", got " + limit);
        }
        Object[] after = cursor == null ? null : decodeCursor(cursor);
        if (!unseen.isEmpty()) {
            refresh();
        }
        try {
            IndexSearcher s = searchers.acquire();
            try {
                Query filter = Attributes.query(filters, s.getIndexReader());
                Query query = filter == null ? new MatchAllDocsQuery() : filter;
                int maxDoc = s.getIndexReader().maxDoc();
                // a (time, id) pair is unique, so the document number never breaks a tie: the last one skips the pair itself
                FieldDoc from = after == null || maxDoc == 0 ? null : new FieldDoc(maxDoc - 1, Float.NaN, after);
                TopDocs top = s.searchAfter(from, query, limit, LISTING_ORDER);
                List<CatalogEntry> entries = new ArrayList<>(top.scoreDocs.length);
                for (ScoreDoc sd : top.scoreDocs) {
                    entries.add(entry(s.storedFields().document(sd.doc)));
                }
                String next = null;
                if (top.scoreDocs.length == limit) {
                    FieldDoc last = (FieldDoc) top.scoreDocs[limit - 1];
                    next = encodeCursor((Long) last.fields[0], (BytesRef) last.fields[1]);
                }
                return new Page(entries, next);
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encodeCursor(long uploadMillis, BytesRef id) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((uploadMillis + ":" + id.utf8ToString()).getBytes(StandardCharsets.UTF_8));
    }

    private static Object[] decodeCursor(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            long time = Long.parseLong(text.substring(0, colon));
            String id = text.substring(colon + 1);
            if (id.isEmpty()) {
                throw new IllegalArgumentException("no id");
            }
            return new Object[] {time, new BytesRef(id)};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cursor '" + (cursor.length() > 40 ? cursor.substring(0, 40) + "..." : cursor)
                    + "' is not one this server gave out (pass nextCursor of the previous page as it is)");
        }
    }

    private Optional<Document> document(String id) {
        if (unseen.containsKey(id)) {
            refresh();
        }
        try {
            IndexSearcher s = searchers.acquire();
            try {
                TopDocs top = s.search(new TermQuery(new Term(ID, id)), 1);
                return top.scoreDocs.length == 0 ? Optional.empty() : Optional.of(s.storedFields().document(top.scoreDocs[0].doc));
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CatalogEntry entry(Document d) {
        Map<String, String> metadata = new HashMap<>();
        for (IndexableField f : d.getFields()) {
            if (f.name().startsWith(META)) {
                metadata.put(f.name().substring(META.length()), f.stringValue());
            }
        }
        return new CatalogEntry(d.get(ID), d.get(FORMAT), d.getField(WIDTH).numericValue().intValue(),
                d.getField(HEIGHT).numericValue().intValue(), d.get(FILENAME), d.get(SOURCE),
                d.getField(UPLOAD_TIME).numericValue().longValue(), metadata, d.getField(THUMBNAIL) != null);
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
