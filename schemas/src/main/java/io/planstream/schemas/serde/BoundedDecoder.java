package io.planstream.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder over one record's bytes that refuses lengths the bytes cannot hold.
 *
 * <p>Avro allocates a string, bytes or array of the length a record declares before reading it, so a
 * corrupt length in a 10-byte payload asks for gigabytes and kills the consumer with an
 * OutOfMemoryError. Here a string or bytes longer than what is left fails as a truncated payload,
 * and a collection block may not declare more items than bytes are left plus
 * {@value #ZERO_SIZE_ITEM_ALLOWANCE} (items encoded in zero bytes, like nulls, are the only ones
 * that could legitimately exceed it).
 */
final class BoundedDecoder extends Decoder {

    static final int ZERO_SIZE_ITEM_ALLOWANCE = 1024;

    private final BinaryDecoder in;

    BoundedDecoder(byte[] data, int offset, int length) {
        this.in = DecoderFactory.get().binaryDecoder(data, offset, length, null);
    }

    /** Bytes not read yet. */
    int remaining() throws IOException {
        return in.isEnd() ? 0 : in.inputStream().available();
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        in.readFixed(result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        byte[] bytes = new byte[length("string")];
        in.readFixed(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void skipString() throws IOException {
        in.skipFixed(length("string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        byte[] bytes = new byte[length("bytes")];
        in.readFixed(bytes);
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipFixed(length("bytes"));
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return items(in.readArrayStart(), "array");
    }

    @Override
    public long arrayNext() throws IOException {
        return items(in.arrayNext(), "array");
    }

    @Override
    public long skipArray() throws IOException {
        return in.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
        return items(in.readMapStart(), "map");
    }

    @Override
    public long mapNext() throws IOException {
        return items(in.mapNext(), "map");
    }

    @Override
    public long skipMap() throws IOException {
        return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }

    /** Reads a string or bytes length and checks it against what is left. */
    private int length(String what) throws IOException {
        long length = in.readLong();
        int left = remaining();
        if (length < 0 || length > left) {
            throw new EOFException(what + " of " + length + " bytes declared with " + left + " bytes left");
        }
        return (int) length;
    }

    private long items(long count, String what) throws IOException {
        int left = remaining();
        if (count > (long) left + ZERO_SIZE_ITEM_ALLOWANCE) {
            throw new EOFException(what + " block of " + count + " items declared with " + left + " bytes left");
        }
        return count;
    }
}
