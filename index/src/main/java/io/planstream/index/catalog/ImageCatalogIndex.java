package io.planstream.index.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ImageRecord;
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

    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Map<Integer, Long> committed = new HashMap<>();
    private final int thumbnailSize;
    private final boolean rebuilt;

    private ImageCatalogIndex(Path dir, int thumbnailSize, boolean rebuilt) throws IOException {
        Files.createDirectories(dir);
        this.thumbnailSize = thumbnailSize;
        this.rebuilt = rebuilt;
        this.directory = FSDirectory.open(dir);
        if (DirectoryReader.indexExists(directory)) {
            VectorIndex.noteOlderLucene(directory, dir, "image catalog");
        }
        this.writer = new IndexWriter(directory, new IndexWriterConfig().setCommitOnClose(false));
        Iterable<Map.Entry<String, String>> data = writer.getLiveCommitData();
        if (data != null) {
            for (Map.Entry<String, String> e : data) {
                if (e.getKey().startsWith(OFFSET)) {
                    committed.put(Integer.parseInt(e.getKey().substring(OFFSET.length())), Long.parseLong(e.getValue()));
                }
            }
        }
        this.searchers = new SearcherManager(writer, null);
    }

    /** Opens the catalog in {@code dir}, or creates it; a damaged one is deleted and starts empty. */
    public static ImageCatalogIndex open(Path dir, int thumbnailSize) {
        try {
            return new ImageCatalogIndex(dir, thumbnailSize, false);
        } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException | java.io.EOFException e) {
            LOG.warn(e instanceof IndexFormatTooOldException
                    ? "image catalog in {} was written by a Lucene older than this one can read ({}); rebuilding it from the images topic"
                    : "image catalog in {} is damaged ({}); rebuilding it from the images topic", dir, e.toString());
            try {
                VectorIndex.deleteIndex(dir);
                return new ImageCatalogIndex(dir, thumbnailSize, true);
            } catch (IOException again) {
                throw new UncheckedIOException(again);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the image catalog in " + dir, e);
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
        try {
            writer.updateDocument(new Term(ID, record.getId()), d);
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

    public Optional<CatalogEntry> find(String id) {
        return document(id).map(ImageCatalogIndex::entry);
    }

    public Optional<byte[]> thumbnail(String id) {
        return document(id).map(d -> d.getBinaryValue(THUMBNAIL)).map(b -> java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length));
    }

    public void commit(Map<Integer, Long> nextOffsets) {
        Map<String, String> data = new HashMap<>();
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

    public void refresh() {
        try {
            searchers.maybeRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    private Optional<Document> document(String id) {
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
