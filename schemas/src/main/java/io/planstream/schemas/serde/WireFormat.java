package io.planstream.schemas.serde;

/**
 * Confluent's wire format for Avro: magic byte 0, the writer schema's id as a 4-byte big-endian int,
 * then the Avro binary encoding of the record.
 */
final class WireFormat {

    static final byte MAGIC_BYTE = 0;
    static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    static void writeHeader(byte[] header, int schemaId) {
        header[0] = MAGIC_BYTE;
        header[1] = (byte) (schemaId >>> 24);
        header[2] = (byte) (schemaId >>> 16);
        header[3] = (byte) (schemaId >>> 8);
        header[4] = (byte) schemaId;
    }

    /** The schema id of a framed record; the caller has checked the length. */
    static int schemaId(byte[] data) {
        return (data[1] & 0xff) << 24 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 8 | data[4] & 0xff;
    }
}
