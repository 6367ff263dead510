package io.planstream.ingest.image;

import static io.planstream.ingest.image.InvalidImageException.Reason.CORRUPT;
import static io.planstream.ingest.image.InvalidImageException.Reason.NOT_AN_IMAGE;
import static io.planstream.ingest.image.InvalidImageException.Reason.TRUNCATED;
import static io.planstream.ingest.image.InvalidImageException.Reason.UNSUPPORTED_FORMAT;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Recognises an image from its magic bytes and reads its claimed size from the header alone.
 *
 * <p>This runs before any decoder allocates a raster, so a decompression bomb (a small file
 * claiming a huge canvas) is refused at the cost of reading a few dozen bytes. PNG and JPEG
 * headers are parsed here; other types ask an ImageIO reader for {@code getWidth(0)}, which
 * reads the header and no pixel data.
 */
public final class ImageProbe {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** BITMAPCOREHEADER, OS/2 v2 short, INFO, V2, V3, OS/2 v2, V4, V5: the DIB header sizes in use. */
    private static final int[] BMP_DIB_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124};

    private ImageProbe() {
    }

    /** The container the bytes start with, or empty when they match no known magic number. */
    public static Optional<ImageType> sniff(byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        if (startsWith(bytes, PNG_SIGNATURE)) {
            return Optional.of(ImageType.PNG);
        }
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
            return Optional.of(ImageType.JPEG);
        }
        if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) {
            return Optional.of(ImageType.GIF);
        }
        if (startsWith(bytes, new byte[] {'I', 'I', 42, 0}) || startsWith(bytes, new byte[] {'M', 'M', 0, 42})) {
            return Optional.of(ImageType.TIFF);
        }
        if (bytes.length >= 12 && startsWith(bytes, ascii("RIFF")) && regionEquals(bytes, 8, ascii("WEBP"))) {
            return Optional.of(ImageType.WEBP);
        }
        if (looksLikeBmp(bytes)) {
            return Optional.of(ImageType.BMP);
        }
        return Optional.empty();
    }

    /**
     * The type and claimed size of an image, read without decoding pixels.
     *
     * @throws InvalidImageException {@code not_an_image} when no magic number matches,
     *     {@code truncated} or {@code corrupt} when the header is cut short or malformed,
     *     {@code unsupported_format} when no installed ImageIO reader handles the type
     */
    public static ImageHeader readHeader(byte[] bytes) {
        ImageType type = sniff(bytes).orElseThrow(() -> notAnImage(bytes));
        return readHeader(bytes, type);
    }

    static ImageHeader readHeader(byte[] bytes, ImageType type) {
        return switch (type) {
            case PNG -> PngChunks.header(bytes);
            case JPEG -> JpegSegments.header(bytes);
            default -> readHeaderWithImageIo(bytes, type);
        };
    }

    /**
     * Checks that the bytes are structurally whole where ImageIO would not notice otherwise:
     * PNG must reach IEND with sound critical-chunk CRCs; JPEG must reach EOI. Other types rely on
     * their decoder's own errors.
     */
    static void requireComplete(byte[] bytes, ImageType type) {
        switch (type) {
            case PNG -> PngChunks.requireComplete(bytes);
            case JPEG -> JpegSegments.requireComplete(bytes);
            default -> {
                // GIF, BMP and TIFF readers fail on missing data themselves; there is no cheap
                // structural end marker worth checking for them.
            }
        }
    }

    /** A fresh reader for the type; the caller disposes of it. */
    static ImageReader readerFor(ImageType type) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(type.contentType());
        if (!readers.hasNext()) {
            throw new InvalidImageException(UNSUPPORTED_FORMAT,
                    "the bytes are " + type.contentType() + ", but no decoder for it is installed");
        }
        return readers.next();
    }

    /**
     * An in-memory stream: {@code ImageIO.createImageInputStream} would spool to a temporary file
     * whenever ImageIO's global cache flag is on, which it is by default.
     */
    static ImageInputStream memoryStream(byte[] bytes) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    /**
     * Maps a decoder failure to a reason: running out of bytes is {@code truncated}, an
     * "Unsupported ..." complaint (CMYK or 12-bit JPEG, exotic TIFF) is {@code unsupported_format},
     * anything else {@code corrupt}.
     */
    static InvalidImageException decodeFailure(ImageType type, String stage, Exception failure) {
        String detail = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        String message = "could not " + stage + " " + type.contentType() + ": " + detail;
        if (causedByEndOfData(failure)) {
            return new InvalidImageException(TRUNCATED, message, failure);
        }
        if (failure.getMessage() != null && failure.getMessage().startsWith("Unsupported")) {
            return new InvalidImageException(UNSUPPORTED_FORMAT, message, failure);
        }
        return new InvalidImageException(CORRUPT, message, failure);
    }

    private static boolean causedByEndOfData(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return true;
            }
            String lower = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (lower.contains("unexpected end of zlib input stream") || lower.contains("premature end")) {
                return true;
            }
        }
        return false;
    }

    private static ImageHeader readHeaderWithImageIo(byte[] bytes, ImageType type) {
        ImageReader reader = readerFor(type);
        try (ImageInputStream in = memoryStream(bytes)) {
            reader.setInput(in, true, true);
            return new ImageHeader(type, reader.getWidth(0), reader.getHeight(0));
        } catch (IOException | RuntimeException e) {
            // Third-party and JDK readers alike throw unchecked exceptions on malformed headers.
            throw decodeFailure(type, "read the header of", e);
        } finally {
            reader.dispose();
        }
    }

    private static boolean looksLikeBmp(byte[] bytes) {
        // "BM" alone is two printable letters; the DIB header size behind the file header makes it specific.
        if (bytes.length < 18 || bytes[0] != 'B' || bytes[1] != 'M') {
            return false;
        }
        int dibSize = (bytes[14] & 0xFF) | (bytes[15] & 0xFF) << 8 | (bytes[16] & 0xFF) << 16 | (bytes[17] & 0xFF) << 24;
        for (int size : BMP_DIB_HEADER_SIZES) {
            if (dibSize == size) {
                return true;
            }
        }
        return false;
    }

    static InvalidImageException notAnImage(byte[] bytes) {
        StringBuilder head = new StringBuilder();
        int shown = bytes == null ? 0 : Math.min(bytes.length, 8);
        for (int i = 0; i < shown; i++) {
            head.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xFF));
        }
        return new InvalidImageException(NOT_AN_IMAGE,
                "the bytes are not PNG, JPEG, GIF, BMP, TIFF or WebP (they start with " + head + ")");
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return regionEquals(bytes, 0, prefix);
    }

    private static boolean regionEquals(byte[] bytes, int offset, byte[] expected) {
        if (bytes.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (bytes[offset + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
