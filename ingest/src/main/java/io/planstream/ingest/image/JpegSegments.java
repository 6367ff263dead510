package io.planstream.ingest.image;

import static io.planstream.ingest.image.InvalidImageException.Reason.CORRUPT;
import static io.planstream.ingest.image.InvalidImageException.Reason.TRUNCATED;
import static io.planstream.ingest.image.InvalidImageException.Reason.UNSUPPORTED_FORMAT;

/**
 * Walks JPEG marker segments straight from the bytes.
 *
 * <p>Segments are skipped by their length field rather than by searching for markers, because
 * APP1 (Exif) segments carry whole thumbnail JPEGs with their own SOF and EOI markers.
 * Entropy-coded data after SOS is scanned byte by byte: there 0xFF is always stuffed as FF 00 or
 * followed by a restart marker, so the first other marker ends the scan.
 */
final class JpegSegments {

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int TEM = 0x01;

    private JpegSegments() {
    }

    /** Width and height from the first SOFn segment. */
    static ImageHeader header(byte[] bytes) {
        return walk(bytes, true);
    }

    /** Requires the EOI marker: libjpeg only warns "Premature end of JPEG file" and pads with grey. */
    static void requireComplete(byte[] bytes) {
        walk(bytes, false);
    }

    /**
     * Walks from SOI; returns at the first frame header when {@code stopAtFrame}, otherwise at EOI.
     * Throws when the bytes end first or a segment is malformed.
     */
    private static ImageHeader walk(byte[] bytes, boolean stopAtFrame) {
        ImageHeader frame = null;
        int offset = 2;
        while (true) {
            if (offset >= bytes.length) {
                throw new InvalidImageException(TRUNCATED, stopAtFrame
                        ? "JPEG ends at byte " + bytes.length + " before its frame header (SOF)"
                        : "JPEG ends at byte " + bytes.length + " without an end-of-image marker");
            }
            if ((bytes[offset] & 0xFF) != 0xFF) {
                throw new InvalidImageException(CORRUPT, String.format(
                        "JPEG has byte %02x at offset %d where a marker should start", bytes[offset] & 0xFF, offset));
            }
            // Any number of 0xFF fill bytes may precede a marker code.
            while (offset < bytes.length && (bytes[offset] & 0xFF) == 0xFF) {
                offset++;
            }
            if (offset >= bytes.length) {
                continue;
            }
            int marker = bytes[offset] & 0xFF;
            int markerOffset = offset - 1;
            offset++;
            if (marker == EOI) {
                if (frame == null) {
                    throw new InvalidImageException(CORRUPT, "JPEG reaches its end-of-image marker without a frame header");
                }
                return frame;
            }
            if (marker == TEM || isRestart(marker)) {
                continue;
            }
            if (marker == SOI || marker == 0x00) {
                throw new InvalidImageException(CORRUPT,
                        String.format("JPEG has an unexpected marker %02x at offset %d", marker, markerOffset));
            }
            if (offset + 2 > bytes.length) {
                throw new InvalidImageException(TRUNCATED, "JPEG ends inside the segment at byte " + markerOffset);
            }
            int length = ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
            if (length < 2) {
                throw new InvalidImageException(CORRUPT,
                        String.format("JPEG segment %02x at offset %d has length %d", marker, markerOffset, length));
            }
            if (offset + length > bytes.length) {
                throw new InvalidImageException(TRUNCATED, String.format(
                        "JPEG segment %02x at offset %d needs %d bytes but only %d remain",
                        marker, markerOffset, length, bytes.length - offset));
            }
            if (isStartOfFrame(marker) && frame == null) {
                frame = frameHeader(bytes, offset, length, marker);
                if (stopAtFrame) {
                    return frame;
                }
            }
            if (marker == SOS && frame == null) {
                throw new InvalidImageException(CORRUPT, "JPEG starts its scan data before any frame header (SOF)");
            }
            offset += length;
            if (marker == SOS) {
                offset = skipEntropyCodedData(bytes, offset);
            }
        }
    }

    /** Returns the offset of the marker that ends the scan, or the array length if the data runs out. */
    private static int skipEntropyCodedData(byte[] bytes, int offset) {
        while (offset < bytes.length) {
            if ((bytes[offset] & 0xFF) != 0xFF) {
                offset++;
                continue;
            }
            if (offset + 1 >= bytes.length) {
                return bytes.length;
            }
            int next = bytes[offset + 1] & 0xFF;
            if (next == 0x00 || isRestart(next)) {
                offset += 2;
            } else if (next == 0xFF) {
                offset++;
            } else {
                return offset;
            }
        }
        return offset;
    }

    private static ImageHeader frameHeader(byte[] bytes, int offset, int length, int marker) {
        // length(2) precision(1) height(2) width(2) components(1)
        if (length < 8) {
            throw new InvalidImageException(CORRUPT,
                    String.format("JPEG frame header %02x is %d bytes, too short", marker, length));
        }
        int height = ((bytes[offset + 3] & 0xFF) << 8) | (bytes[offset + 4] & 0xFF);
        int width = ((bytes[offset + 5] & 0xFF) << 8) | (bytes[offset + 6] & 0xFF);
        if (height == 0) {
            // Height 0 defers the real height to a DNL marker after the first scan: the size is
            // unknowable without decoding, which is exactly what must not happen first.
            throw new InvalidImageException(UNSUPPORTED_FORMAT,
                    "JPEG frame header leaves the height to a DNL marker, which is not supported");
        }
        if (width == 0) {
            throw new InvalidImageException(CORRUPT, "JPEG frame header claims width 0");
        }
        return new ImageHeader(ImageType.JPEG, width, height);
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static boolean isRestart(int marker) {
        return marker >= 0xD0 && marker <= 0xD7;
    }
}
