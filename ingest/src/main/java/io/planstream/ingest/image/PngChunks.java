package io.planstream.ingest.image;

import static io.planstream.ingest.image.InvalidImageException.Reason.CORRUPT;
import static io.planstream.ingest.image.InvalidImageException.Reason.TRUNCATED;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Walks PNG chunks (length, type, data, CRC) straight from the bytes.
 *
 * <p>ImageIO's PNG reader stops after the last IDAT and checks no CRC, so a file cut after its
 * image data, or with flipped bits in a critical chunk, decodes "successfully". The walk catches both.
 */
final class PngChunks {

    static final int SIGNATURE_LENGTH = 8;
    private static final int IHDR_LENGTH = 13;
    /** Signature, IHDR length and type, 13 bytes of IHDR data, CRC. */
    private static final int MIN_HEADER_BYTES = SIGNATURE_LENGTH + 8 + IHDR_LENGTH + 4;

    private PngChunks() {
    }

    /** Width and height from IHDR, which the PNG specification requires to be the first chunk. */
    static ImageHeader header(byte[] bytes) {
        if (bytes.length < MIN_HEADER_BYTES) {
            throw new InvalidImageException(TRUNCATED, "PNG is " + bytes.length
                    + " bytes, too short for its IHDR header (" + MIN_HEADER_BYTES + " bytes)");
        }
        int offset = SIGNATURE_LENGTH;
        long length = uint32(bytes, offset);
        String type = chunkType(bytes, offset + 4);
        if (!"IHDR".equals(type) || length != IHDR_LENGTH) {
            throw new InvalidImageException(CORRUPT,
                    "PNG does not start with a 13-byte IHDR chunk (found '" + type + "' of " + length + " bytes)");
        }
        requireCrc(bytes, offset, IHDR_LENGTH, type);
        long width = uint32(bytes, offset + 8);
        long height = uint32(bytes, offset + 12);
        // The specification allows 1 .. 2^31-1; anything else is not a PNG a decoder will accept.
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new InvalidImageException(CORRUPT, "PNG header claims invalid dimensions " + width + "x" + height);
        }
        return new ImageHeader(ImageType.PNG, (int) width, (int) height);
    }

    /**
     * Requires every chunk to be whole and the chunk chain to reach IEND, and checks the CRC of each
     * critical chunk. Bytes after IEND are tolerated, as decoders do.
     */
    static void requireComplete(byte[] bytes) {
        int offset = SIGNATURE_LENGTH;
        while (true) {
            if (offset + 8 > bytes.length) {
                throw new InvalidImageException(TRUNCATED,
                        "PNG ends at byte " + bytes.length + " without an IEND chunk");
            }
            long length = uint32(bytes, offset);
            String type = chunkType(bytes, offset + 4);
            if (length > Integer.MAX_VALUE) {
                throw new InvalidImageException(CORRUPT,
                        "PNG chunk '" + type + "' at byte " + offset + " claims " + length + " bytes");
            }
            long end = offset + 12L + length;
            if (end > bytes.length) {
                throw new InvalidImageException(TRUNCATED, "PNG chunk '" + type + "' at byte " + offset
                        + " needs " + (end - offset) + " bytes but only " + (bytes.length - offset) + " remain");
            }
            if (isCritical(bytes[offset + 4])) {
                requireCrc(bytes, offset, (int) length, type);
            }
            if ("IEND".equals(type)) {
                return;
            }
            offset = (int) end;
        }
    }

    /** Ancillary chunks have a lower-case first letter (bit 5 set); CRC errors there are tolerated. */
    private static boolean isCritical(byte firstTypeByte) {
        return (firstTypeByte & 0x20) == 0;
    }

    private static void requireCrc(byte[] bytes, int chunkOffset, int dataLength, String type) {
        CRC32 crc = new CRC32();
        crc.update(bytes, chunkOffset + 4, 4 + dataLength);
        long stored = uint32(bytes, chunkOffset + 8 + dataLength);
        if (crc.getValue() != stored) {
            throw new InvalidImageException(CORRUPT, String.format(
                    "PNG chunk '%s' at byte %d fails its CRC (stored %08x, computed %08x)",
                    type, chunkOffset, stored, crc.getValue()));
        }
    }

    private static String chunkType(byte[] bytes, int offset) {
        return new String(bytes, offset, 4, StandardCharsets.ISO_8859_1);
    }

    static long uint32(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFFL) << 24) | ((bytes[offset + 1] & 0xFFL) << 16)
                | ((bytes[offset + 2] & 0xFFL) << 8) | (bytes[offset + 3] & 0xFFL);
    }
}
