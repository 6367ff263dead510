package io.planstream.ingest.image;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Builds test inputs: real encodings from ImageIO, and hand-made headers that lie. */
public final class TestImages {

    private TestImages() {
    }

    /** A noisy RGB picture, so that encoders cannot shrink it to almost nothing. */
    public static BufferedImage picture(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return image;
    }

    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] png(int width, int height) {
        return encode(picture(width, height, 7), "png");
    }

    public static byte[] jpeg(int width, int height) {
        return encode(picture(width, height, 11), "jpeg");
    }

    /**
     * A well-formed PNG whose IHDR claims the given size but whose image data holds one tiny
     * row: what a decompression bomb or a forged header looks like to a header reader.
     */
    public static byte[] pngClaiming(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        out.writeBytes(chunk("IHDR", ihdr.array()));
        out.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9C, 0x63, 0, 0, 0, 1, 0, 1}));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** A PNG chunk with a correct CRC. */
    public static byte[] chunk(String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(typeBytes).put(data)
                .putInt((int) crc.getValue()).array();
    }

    /** The JPEG with the size fields of its first SOF0 segment overwritten. */
    public static byte[] withJpegFrameSize(byte[] jpeg, int width, int height) {
        byte[] copy = jpeg.clone();
        int sof = indexOf(copy, new byte[] {(byte) 0xFF, (byte) 0xC0});
        // FF C0, length (2), precision (1), then height and width.
        copy[sof + 5] = (byte) (height >> 8);
        copy[sof + 6] = (byte) height;
        copy[sof + 7] = (byte) (width >> 8);
        copy[sof + 8] = (byte) width;
        return copy;
    }

    /**
     * A 24-bit BMP header for the given size followed by no pixel data. Its file-size field lies
     * as much as its dimensions: the JDK reader checks the two against each other, not against
     * the bytes actually present.
     */
    public static byte[] bmpClaiming(int width, int height) {
        return ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 'B').put((byte) 'M').putInt(Integer.MAX_VALUE).putInt(0).putInt(54)
                .putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24)
                .putInt(0).putInt(0).putInt(2835).putInt(2835).putInt(0).putInt(0)
                .array();
    }

    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("pattern not found");
    }

    public static byte[] cut(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    /**
     * The shared test data folder: the {@code shared.data.dir} system property (set by the
     * build), else {@code ../../shared/data} from the module directory.
     */
    public static Path sharedData() {
        String configured = System.getProperty("shared.data.dir");
        return configured != null ? Path.of(configured) : Path.of("../../shared/data");
    }

    /** Bytes of a real RPLAN sample; skips the test where the shared data is not checked out. */
    public static byte[] rplanSample(String name) {
        Path file = sharedData().resolve("rplan").resolve(name);
        assumeTrue(Files.isRegularFile(file), "RPLAN sample not available: " + file.toAbsolutePath());
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
