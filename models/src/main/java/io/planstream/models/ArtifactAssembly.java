package io.planstream.models;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

import io.planstream.avro.ArtifactChunk;

/**
 * Reassembles the files of one artifact version from its chunks, in the order the partition holds them,
 * writing each file as its chunks arrive and checking it against the size and hash its chunks carry.
 *
 * <p>Chunks of a file must come in index order: one publisher writes them in order, in one transaction,
 * to one partition, so a gap means records are missing. A chunk seen again (a later re-send of the same
 * version) is skipped. Every inconsistency fails with an {@link ArtifactFetchException} naming the offset.
 */
final class ArtifactAssembly implements Closeable {

    private final ArtifactUri at;
    private final Path dir;
    private List<String> files;
    private final Map<String, FileAssembly> byFile = new LinkedHashMap<>();
    private final Map<String, String> hashes = new TreeMap<>();
    private long bytes;

    ArtifactAssembly(ArtifactUri at, Path dir) {
        this.at = at;
        this.dir = dir;
    }

    /** Takes the record at {@code offset}; records of other versions and tombstones are skipped. */
    void add(long offset, ArtifactChunk chunk) throws IOException {
        if (chunk == null) {
            return;
        }
        if (files == null) {
            // The URI's offset is that of the version's first chunk: anything else there means the URI is wrong.
            if (chunk.getVersion() != at.version()) {
                throw fail("the first record at or after offset " + at.firstOffset() + " (offset " + offset
                        + ") is a chunk of version " + chunk.getVersion() + ", not of version " + at.version()
                        + ": the URI does not point at this version's artifact");
            }
            files = checkFileList(offset, chunk.getFiles());
        }
        if (chunk.getVersion() != at.version()) {
            return;
        }
        if (!chunk.getFiles().equals(files)) {
            throw fail("the chunk at offset " + offset + " lists the files " + chunk.getFiles()
                    + ", the first chunk listed " + files);
        }
        String file = chunk.getFile();
        if (!files.contains(file)) {
            throw fail("the chunk at offset " + offset + " is of file '" + file + "', which is not among the files " + files);
        }
        FileAssembly assembly = byFile.get(file);
        if (assembly == null) {
            if (chunk.getChunk() != 0) {
                throw fail("the first chunk of file '" + file + "' is chunk " + chunk.getChunk() + " (offset " + offset
                        + "); chunks 0.." + (chunk.getChunk() - 1) + " are missing");
            }
            assembly = new FileAssembly(offset, chunk);
            byFile.put(file, assembly);
        }
        assembly.add(offset, chunk);
    }

    boolean complete() {
        return files != null && hashes.size() == files.size();
    }

    /** File name to hex SHA-256 of every file written and checked so far. */
    Map<String, String> hashes() {
        return hashes;
    }

    long bytes() {
        return bytes;
    }

    /** What is still missing, in words, for an error message. */
    String missing() {
        if (files == null) {
            return "no chunk of version " + at.version() + " was found at or after offset " + at.firstOffset();
        }
        StringBuilder out = new StringBuilder("missing: ");
        for (String file : files) {
            FileAssembly a = byFile.get(file);
            if (a == null) {
                out.append("file '").append(file).append("' (no chunk); ");
            } else if (!a.done) {
                out.append("file '").append(file).append("' (chunks ").append(a.next).append("..")
                        .append(a.chunks - 1).append(" of ").append(a.chunks).append("); ");
            }
        }
        return out.substring(0, out.length() - 2);
    }

    ArtifactFetchException fail(String problem) {
        return new ArtifactFetchException(at.version(), at.toUri(), problem);
    }

    ArtifactFetchException fail(String problem, Throwable cause) {
        return new ArtifactFetchException(at.version(), at.toUri(), problem, cause);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileAssembly a : byFile.values()) {
            try {
                a.out.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private List<String> checkFileList(long offset, List<String> names) throws ArtifactFetchException {
        if (names.isEmpty()) {
            throw fail("the chunk at offset " + offset + " lists no files");
        }
        for (String name : names) {
            Optional<String> problem = ArtifactChunks.fileNameProblem(name);
            if (problem.isPresent()) {
                throw fail("the chunk at offset " + offset + " lists a file that cannot be written: " + problem.get());
            }
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw fail("the chunk at offset " + offset + " lists a file twice: " + names);
        }
        return List.copyOf(names);
    }

    /** One file being written: its expected size, hash and chunk count come from its first chunk. */
    private final class FileAssembly {
        private final String file;
        private final long size;
        private final String sha256;
        private final int chunks;
        private final FileChannel out;
        private final MessageDigest digest = DigestUtils.getSha256Digest();
        private int next;
        private long written;
        private boolean done;

        FileAssembly(long offset, ArtifactChunk first) throws IOException {
            this.file = first.getFile();
            this.size = first.getFileSize();
            this.sha256 = first.getFileSha256();
            this.chunks = first.getChunks();
            if (size < 0 || chunks < 1) {
                throw fail("the chunk at offset " + offset + " gives file '" + file + "' " + size + " bytes in "
                        + chunks + " chunks");
            }
            // File names were checked to be plain names, so this stays inside dir.
            this.out = FileChannel.open(dir.resolve(file), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        void add(long offset, ArtifactChunk chunk) throws IOException {
            if (chunk.getFileSize() != size || !chunk.getFileSha256().equals(sha256) || chunk.getChunks() != chunks) {
                throw fail("the chunk at offset " + offset + " gives file '" + file + "' " + chunk.getFileSize() + " bytes, "
                        + chunk.getChunks() + " chunks and hash " + chunk.getFileSha256() + "; its first chunk said "
                        + size + " bytes, " + chunks + " chunks and hash " + sha256);
            }
            if (done || chunk.getChunk() < next) {
                return;
            }
            if (chunk.getChunk() > next) {
                throw fail("chunk " + chunk.getChunk() + " of file '" + file + "' (offset " + offset + ") follows chunk "
                        + (next - 1) + "; chunks " + next + ".." + (chunk.getChunk() - 1) + " are missing");
            }
            ByteBuffer data = chunk.getData();
            if (written + data.remaining() > size) {
                throw fail("file '" + file + "' grows past its " + size + " bytes at chunk " + next + " (offset " + offset + ")");
            }
            written += data.remaining();
            digest.update(data.duplicate());
            for (ByteBuffer rest = data.duplicate(); rest.hasRemaining(); ) {
                out.write(rest);
            }
            next++;
            if (next == chunks) {
                finish();
            }
        }

        private void finish() throws IOException {
            out.close();
            done = true;
            if (written != size) {
                throw fail("file '" + file + "' has " + written + " bytes in its " + chunks + " chunks, not the " + size + " its chunks give");
            }
            String actual = Hex.encodeHexString(digest.digest());
            if (!actual.equals(sha256)) {
                throw fail("file '" + file + "' reassembled from its chunks hashes to " + actual + ", not to its " + sha256);
            }
            hashes.put(file, actual);
            bytes += written;
        }
    }
}
