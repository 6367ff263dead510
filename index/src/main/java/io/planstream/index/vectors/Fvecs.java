package io.planstream.index.vectors;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The fvecs format of the ANN benchmarks (TEXMEX: SIFT1M, GIST1M, ...): per vector a
 * little-endian int32 dimension, then that many little-endian float32 values.
 */
public final class Fvecs {

    /** Larger dimensions are taken for a file that is not fvecs. */
    public static final int MAX_DIMENSION = 65_536;

    private Fvecs() {
    }

    /**
     * Reads every vector of {@code file}.
     *
     * @throws IOException for a file that is empty, truncated, has a record of another dimension
     *         than the first, an implausible dimension, or more floats than one array holds; the
     *         message names the byte offset of the bad record
     */
    public static VectorSet read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new IOException(file + " holds no vectors");
            }
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            buffer.limit(0);
            fill(channel, buffer, 4);
            int dimension = buffer.getInt(0);
            if (dimension < 1 || dimension > MAX_DIMENSION) {
                throw new IOException(file + ": dimension " + dimension + " at byte offset 0 is not between 1 and "
                        + MAX_DIMENSION + "; not an fvecs file?");
            }
            long record = 4L + 4L * dimension;
            long count = size / record;
            if (count * dimension > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + count + " vectors of " + dimension + " dimensions do not fit in one array");
            }
            float[] data = new float[(int) (count * dimension)];
            long offset = 0;
            for (int i = 0; i < count; i++, offset += record) {
                fill(channel, buffer, 4);
                int d = buffer.getInt();
                if (d != dimension) {
                    throw new IOException(file + ": vector " + i + " at byte offset " + offset + " has dimension " + d
                            + ", the first has " + dimension);
                }
                int done = 0;
                while (done < dimension) {
                    fill(channel, buffer, 4);
                    int n = Math.min(dimension - done, buffer.remaining() / 4);
                    buffer.asFloatBuffer().get(data, i * dimension + done, n);
                    buffer.position(buffer.position() + 4 * n);
                    done += n;
                }
            }
            if (offset != size) {
                throw new IOException(file + " is truncated: " + (size - offset) + " bytes at byte offset " + offset
                        + " are not a whole vector of " + dimension + " dimensions (" + record + " bytes)");
            }
            return new VectorSet(dimension, data);
        }
    }

    /** Makes at least {@code bytes} bytes available in {@code buffer}, reading more of the file where needed. */
    private static void fill(FileChannel channel, ByteBuffer buffer, int bytes) throws IOException {
        if (buffer.remaining() >= bytes) {
            return;
        }
        buffer.compact();
        while (buffer.position() < bytes) {
            if (channel.read(buffer) < 0) {
                throw new IOException("unexpected end of file at byte offset " + channel.position());
            }
        }
        buffer.flip();
    }

    /** Writes {@code vectors} to {@code file}, replacing it. */
    public static void write(Path file, VectorSet vectors) throws IOException {
        int dimension = vectors.dimension();
        ByteBuffer record = ByteBuffer.allocate(4 + 4 * dimension).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int i = 0; i < vectors.size(); i++) {
                record.clear();
                record.putInt(dimension);
                record.asFloatBuffer().put(vectors.data(), i * dimension, dimension);
                out.write(record.array());
            }
        }
    }
}
