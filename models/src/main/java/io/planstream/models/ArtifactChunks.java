package io.planstream.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

import io.planstream.avro.ArtifactChunk;
import io.planstream.platform.Topics;
import io.planstream.simclr.artifact.ModelArtifact;

/**
 * Splits a model artifact, a flat directory of regular files such as {@code manifest.json} and
 * {@code parameters.djl}, into {@link ArtifactChunk} records small enough for Kafka.
 *
 * <p>Files are taken in name order and each is cut into chunks of at most the chunk size, the last one
 * shorter; an empty file becomes one empty chunk so that a reader still learns of it. Every chunk
 * carries the size and SHA-256 of its whole file and the names of all files, so a reader can tell when
 * it has everything and check what it reassembled without any other record.
 *
 * <p>Files are streamed: one chunk's bytes are in memory at a time. Because each chunk carries the
 * whole file's hash, a file is read twice, once to hash it and once to cut it; the second read is hashed
 * too, and a file that changed in between fails the split rather than publishing bytes that do not
 * match the hash they travel with.
 */
public final class ArtifactChunks {

    /** Chunk size unless a publisher is told otherwise: half the producer's default request size. */
    public static final int DEFAULT_CHUNK_BYTES = 512 * 1024;
    /**
     * The largest chunk size allowed; with the envelope bounded by {@link #MAX_FILES} and
     * {@link #MAX_FILE_NAME_BYTES} a record stays under {@link Topics#ARTIFACT_MAX_MESSAGE_BYTES}.
     */
    public static final int MAX_CHUNK_BYTES = 1024 * 1024;
    /** Most files an artifact may have: every chunk repeats all their names. */
    public static final int MAX_FILES = 256;
    /** Longest file name, in UTF-8 bytes (the limit of common file systems). */
    public static final int MAX_FILE_NAME_BYTES = 255;

    private ArtifactChunks() {
    }

    /** Receives the chunks of an artifact in order; may fail with an I/O error, which ends the split. */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(ArtifactChunk chunk) throws IOException;
    }

    /**
     * The files of an artifact directory, sorted by name.
     *
     * @throws IllegalArgumentException when {@code dir} is not a directory, is empty, holds a subdirectory
     *                                  or anything else that is not a regular file, holds more than
     *                                  {@link #MAX_FILES} files, or a file whose name a reader would refuse
     */
    public static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("artifact directory " + dir + " does not exist or is not a directory");
        }
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted(Comparator.comparing(ArtifactChunks::name)).toList();
        }
        for (Path entry : entries) {
            if (Files.isDirectory(entry)) {
                throw new IllegalArgumentException("artifact directory " + dir + " contains the subdirectory '" + name(entry)
                        + "'; an artifact is a flat directory of regular files");
            }
            if (!Files.isRegularFile(entry)) {
                throw new IllegalArgumentException("artifact directory " + dir + " contains '" + name(entry)
                        + "', which is not a regular file; an artifact is a flat directory of regular files");
            }
            Optional<String> problem = fileNameProblem(name(entry));
            if (problem.isPresent()) {
                throw new IllegalArgumentException("artifact directory " + dir + ": " + problem.get());
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("artifact directory " + dir + " holds no files");
        }
        if (entries.size() > MAX_FILES) {
            throw new IllegalArgumentException("artifact directory " + dir + " holds " + entries.size()
                    + " files, more than the " + MAX_FILES + " an artifact may have");
        }
        return entries;
    }

    /**
     * Cuts every file of {@code dir} into chunks of version {@code version} and hands them to {@code sink}
     * in order: files by name, chunks by index.
     *
     * @param chunkBytes largest chunk, 1 to {@link #MAX_CHUNK_BYTES}
     * @throws IllegalArgumentException for a bad version or chunk size, or a directory {@link #files} refuses
     * @throws IOException when a file cannot be read or changes while it is being split
     */
    public static void split(Path dir, int version, int chunkBytes, ChunkSink sink) throws IOException {
        if (version < 1) {
            throw new IllegalArgumentException("artifact version must be >= 1, got " + version);
        }
        checkChunkBytes(chunkBytes);
        List<Path> files = files(dir);
        List<String> names = files.stream().map(ArtifactChunks::name).toList();
        for (Path file : files) {
            long size = Files.size(file);
            String sha256 = ModelArtifact.sha256Hex(file);
            long chunks = Math.max(1, (size + chunkBytes - 1) / chunkBytes);
            if (chunks > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("file " + file + " of " + size + " bytes needs " + chunks
                        + " chunks of " + chunkBytes + " bytes, more than a chunk index can count; use larger chunks");
            }
            ArtifactChunk.Builder template = ArtifactChunk.newBuilder()
                    .setVersion(version).setFile(name(file)).setFileSize(size).setFileSha256(sha256)
                    .setChunks((int) chunks).setFiles(names);
            emit(file, template, chunkBytes, sink);
        }
    }

    /** The record key of a chunk, {@code v{version}/{file}/{chunk}}: unique, so compaction keeps every chunk. */
    public static String key(ArtifactChunk chunk) {
        return "v" + chunk.getVersion() + "/" + chunk.getFile() + "/" + chunk.getChunk();
    }

    /** @throws IllegalArgumentException unless {@code 1 <= chunkBytes <= MAX_CHUNK_BYTES} */
    public static int checkChunkBytes(int chunkBytes) {
        if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk size must be 1.." + MAX_CHUNK_BYTES + " bytes, got " + chunkBytes);
        }
        return chunkBytes;
    }

    /**
     * Why a file name cannot be part of an artifact, if it cannot: it must be a plain name (no path
     * separator, not {@code .} or {@code ..}, so that a reader writing it cannot leave its directory),
     * printable (no control characters, which would break the {@link ArtifactFetcher#HASH_LIST_FILE}
     * lines), at most {@link #MAX_FILE_NAME_BYTES} bytes, and not the name of the reader's hash list.
     */
    static Optional<String> fileNameProblem(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return Optional.of("'" + name + "' is not a file name");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return Optional.of("file name '" + name + "' contains a path separator");
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return Optional.of("file name '" + name.replaceAll("\\p{Cntrl}", "?") + "' contains a control character");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_FILE_NAME_BYTES) {
            return Optional.of("file name '" + name + "' is longer than " + MAX_FILE_NAME_BYTES + " bytes");
        }
        if (name.equals(ArtifactFetcher.HASH_LIST_FILE)) {
            return Optional.of("file name '" + name + "' is reserved for the hash list of a fetched artifact");
        }
        return Optional.empty();
    }

    private static void emit(Path file, ArtifactChunk.Builder template, int chunkBytes, ChunkSink sink) throws IOException {
        long size = template.getFileSize();
        MessageDigest digest = DigestUtils.getSha256Digest();
        long done = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int i = 0; i < template.getChunks(); i++) {
                int want = (int) Math.min(chunkBytes, size - done);
                byte[] data = in.readNBytes(want);
                if (data.length < want) {
                    throw changed(file, "it became shorter than " + size + " bytes");
                }
                digest.update(data);
                done += want;
                sink.accept(ArtifactChunk.newBuilder(template).setChunk(i).setData(ByteBuffer.wrap(data)).build());
            }
            if (in.read() >= 0) {
                throw changed(file, "it grew beyond " + size + " bytes");
            }
        }
        if (!Hex.encodeHexString(digest.digest()).equals(template.getFileSha256())) {
            throw changed(file, "its bytes no longer hash to " + template.getFileSha256());
        }
    }

    private static IOException changed(Path file, String how) {
        return new IOException("file " + file + " changed while it was being split into chunks: " + how);
    }

    private static String name(Path file) {
        return file.getFileName().toString();
    }
}
