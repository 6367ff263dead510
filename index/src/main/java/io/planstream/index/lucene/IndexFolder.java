package io.planstream.index.lucene;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.NRTCachingDirectory;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.index.filter.Attributes;

/**
 * The folder of a {@link VectorIndex} on disk: opening or creating the index there (with the writer's
 * configuration and codec), the commit user data (the dimension, and the next offset per Kafka partition),
 * the deletion and fresh start of a damaged index, and the deletion of a retired one, which touches
 * nothing but Lucene's own files.
 */
final class IndexFolder {

    /** Commit user data: the vector dimension, and the next offset per Kafka partition. */
    private static final String DIMENSION_KEY = "planstream.dimension";
    /**
     * Commit user data: the documents carry the filterable attributes ({@link Attributes}). An index
     * without it holds documents that filters cannot see, and is rebuilt from the topic.
     */
    private static final String ATTRIBUTES_KEY = "planstream.attributes";
    private static final String OFFSET_KEY_PREFIX = "planstream.next-offset.";
    private static final String SOURCE_KEY_PREFIX = "planstream.source-offset.";

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

    /** Logs under VectorIndex's name, as before this class was split from it. */
    private static final Logger LOG = LoggerFactory.getLogger(VectorIndex.class);

    /**
     * An open index: what {@link VectorIndex} works on, which closes it.
     *
     * @param committed the offsets of the last commit, empty for a new or rebuilt index
     * @param rebuilt whether the index was found damaged, deleted and started afresh
     */
    record Opened(Directory directory, IndexWriter writer, SearcherManager searchers, Committed committed, boolean rebuilt) {
    }

    /**
     * The positions a commit stores: partition to the offset of the next record to consume, and partition of
     * the records' source topic to the highest source offset the index holds (empty where none is known).
     */
    record Committed(Map<Integer, Long> nextOffsets, Map<Integer, Long> sources) {
        static final Committed NONE = new Committed(Map.of(), Map.of());

        Committed {
            nextOffsets = Collections.unmodifiableMap(new TreeMap<>(nextOffsets));
            sources = Collections.unmodifiableMap(new TreeMap<>(sources));
        }
    }

    private IndexFolder() {
    }

    /**
     * Opens the index in {@code dir}, or creates it there (with its parent folders), as
     * {@link VectorIndex#open} describes: a damaged index is logged, deleted and recreated empty, and
     * every file is read once to verify its checksums. The caller has checked {@code dimension} and
     * {@code params}.
     */
    static Opened open(Path dir, int dimension, HnswParams params) throws IOException {
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
                if (stored.containsKey(DIMENSION_KEY) && !stored.containsKey(ATTRIBUTES_KEY)
                        && last.totalMaxDoc() > 0) {
                    List<Path> indexFiles = indexFiles(dir, null);
                    LOG.info("Index {} was written by an earlier release (Lucene {}), whose documents lack the"
                            + " attributes that filters search; deleting it and rebuilding it from the topic", dir,
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
                LOG.warn("Index {} is damaged ({}); deleting it and starting empty, to be rebuilt from the topic", dir,
                        e.toString());
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

    private static Opened reopenEmpty(Path dir, Directory directory, List<Path> indexFiles, int dimension,
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

    /** See {@link VectorIndex#noteOlderLucene}. */
    static void noteOlderLucene(SegmentInfos infos, Path dir, String what) {
        Version oldest = infos.getMinSegmentLuceneVersion();
        if (infos.getIndexCreatedVersionMajor() < Version.LATEST.major
                || (oldest != null && oldest.major < Version.LATEST.major)) {
            LOG.info("The {} in {} was written by Lucene {}: read as it is, without a rebuild; new segments are written"
                            + " by Lucene {}, and merges rewrite the old ones", what, dir,
                    oldest != null ? oldest : infos.getIndexCreatedVersionMajor() + ".x", Version.LATEST);
        }
    }

    private static Opened openOn(Path path, Directory directory, int dimension, HnswParams params, boolean rebuilt)
            throws IOException {
        boolean create = !DirectoryReader.indexExists(directory);
        IndexWriter writer = null;
        SearcherManager searchers = null;
        try {
            writer = new IndexWriter(directory, config(params, create));
            Committed offsets;
            if (create) {
                writer.setLiveCommitData(commitData(dimension, Committed.NONE).entrySet());
                writer.commit();
                offsets = Committed.NONE;
            } else {
                offsets = readCommitData(path, writer, dimension);
            }
            searchers = new SearcherManager(writer, true, false, null);
            verifyChecksums(searchers);
            return new Opened(directory, writer, searchers, offsets, rebuilt);
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

    /**
     * The user data of a commit: the dimension, the mark that the documents carry their attributes, and
     * the {@link Committed} positions.
     */
    static Map<String, String> commitData(int dimension, Committed committed) {
        Map<String, String> data = new TreeMap<>();
        data.put(DIMENSION_KEY, Integer.toString(dimension));
        data.put(ATTRIBUTES_KEY, "1");
        committed.nextOffsets().forEach((p, o) -> data.put(OFFSET_KEY_PREFIX + p, Long.toString(o)));
        committed.sources().forEach((p, o) -> data.put(SOURCE_KEY_PREFIX + p, Long.toString(o)));
        return data;
    }

    /** The offsets of the last commit, after checking that it is ours and of this dimension. */
    private static Committed readCommitData(Path path, IndexWriter writer, int dimension) throws IOException {
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
        Map<Integer, Long> sources = new TreeMap<>();
        try {
            int storedDimension = Integer.parseInt(stored);
            if (storedDimension != dimension) {
                throw new IllegalArgumentException("the index in " + path + " has " + storedDimension
                        + " dimensions, asked for " + dimension);
            }
            for (Map.Entry<String, String> e : data.entrySet()) {
                if (e.getKey().startsWith(OFFSET_KEY_PREFIX)) {
                    offsets.put(Integer.parseInt(e.getKey().substring(OFFSET_KEY_PREFIX.length())),
                            Long.parseLong(e.getValue()));
                } else if (e.getKey().startsWith(SOURCE_KEY_PREFIX)) {
                    sources.put(Integer.parseInt(e.getKey().substring(SOURCE_KEY_PREFIX.length())), Long.parseLong(e.getValue()));
                }
            }
        } catch (NumberFormatException e) {
            throw new CorruptIndexException("unreadable commit data " + data, path.toString(), e);
        }
        return new Committed(offsets, sources);
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

    /** See {@link VectorIndex#deleteIndex}. */
    static boolean deleteIndex(Path dir) throws IOException {
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
}
