package io.planstream.app.fuzz;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import io.planstream.ingest.generate.FloorPlanGenerator;

/**
 * A seeded mutation fuzzer of uploads: well-formed PNG, JPEG and RPLAN seeds, hostile specimens
 * (forged sizes, pixel floods, a decompression bomb), and mutations of all of them, some blind
 * (bit flips, cuts, splices) and some format-aware (PNG chunks rewritten with valid CRCs, so the
 * corruption reaches the decoder instead of stopping at the checksum; JPEG frame sizes rewritten).
 *
 * <p>Why not Jazzer: its JUnit integration fuzzes only with its native agent and {@code JAZZER_FUZZ}
 * set, and otherwise replays a corpus; a seeded loop runs thousands of fresh cases in every
 * {@code mvn verify}, reproducibly (a failure names its seed and case number).
 */
public final class UploadMutator {

    /** One generated upload and how it was made. */
    public record Case(int number, byte[] bytes, String contentType, String format, String how) {
        @Override
        public String toString() {
            return "case " + number + " (" + how + ", " + bytes.length + " bytes, Content-Type " + contentType + ", format " + format + ")";
        }
    }

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final String[] CONTENT_TYPES = {"image/png", "image/jpeg", "application/octet-stream", null, "text/plain",
            "image/gif", "image/png; charset=binary", "", "image/*"};
    private static final String[] FORMATS = {null, null, null, "rplan", "picture", "RPLAN", "bogus", ""};
    private static final int[] INTERESTING_INTS = {0, 1, -1, 0x7FFFFFFF, 0x80000000, 0xFFFF, 0x10000, 10_001, 65_535, 46_341};

    private final List<byte[]> seeds;
    private final List<String> seedNames;
    private final SplittableRandom random;
    private int count;

    private UploadMutator(List<byte[]> seeds, List<String> seedNames, long seed) {
        this.seeds = seeds;
        this.seedNames = seedNames;
        this.random = new SplittableRandom(seed);
    }

    /** Seeds drawn here, RPLAN plans from the generator, and up to {@code sharedFiles} of {@code sharedDir} when it exists. */
    public static UploadMutator create(long seed, Path sharedDir, int sharedFiles) {
        List<byte[]> seeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        add(seeds, names, "png-rgb-64x48", encode(drawing(64, 48, BufferedImage.TYPE_INT_RGB, r), "png"));
        add(seeds, names, "png-argb-17x5", encode(drawing(17, 5, BufferedImage.TYPE_INT_ARGB, r), "png"));
        add(seeds, names, "png-gray-33x33", encode(drawing(33, 33, BufferedImage.TYPE_BYTE_GRAY, r), "png"));
        add(seeds, names, "png-gray16-20x20", encode(drawing(20, 20, BufferedImage.TYPE_USHORT_GRAY, r), "png"));
        add(seeds, names, "png-indexed-40x30", encode(drawing(40, 30, BufferedImage.TYPE_BYTE_INDEXED, r), "png"));
        add(seeds, names, "png-binary-50x10", encode(drawing(50, 10, BufferedImage.TYPE_BYTE_BINARY, r), "png"));
        add(seeds, names, "png-1x1", encode(drawing(1, 1, BufferedImage.TYPE_INT_RGB, r), "png"));
        add(seeds, names, "jpeg-rgb-64x64", encode(drawing(64, 64, BufferedImage.TYPE_INT_RGB, r), "jpeg"));
        add(seeds, names, "jpeg-gray-31x17", encode(drawing(31, 17, BufferedImage.TYPE_BYTE_GRAY, r), "jpeg"));
        add(seeds, names, "jpeg-progressive-48x40", progressiveJpeg(drawing(48, 40, BufferedImage.TYPE_INT_RGB, r)));
        FloorPlanGenerator plans = new FloorPlanGenerator();
        for (int i = 0; i < 3; i++) {
            add(seeds, names, "rplan-generated-" + i, plans.generate(seed + i).png());
        }
        if (sharedDir != null && Files.isDirectory(sharedDir)) {
            try (Stream<Path> files = Files.walk(sharedDir, 2)) {
                for (Path f : files.filter(Files::isRegularFile).filter(UploadMutator::isImageFile).sorted().limit(sharedFiles).toList()) {
                    if (Files.size(f) <= 2_000_000) {
                        add(seeds, names, "shared-" + f.getFileName(), Files.readAllBytes(f));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new UploadMutator(seeds, names, seed);
    }

    /** Hostile specimens every run sends as they are: each must be refused, or (the bomb) accepted within the limits. */
    public static List<Case> specimens() {
        List<Case> out = new ArrayList<>();
        out.add(new Case(-1, pngClaiming(100_000, 100_000), "image/png", null, "png claiming 100000x100000 (pixel flood)"));
        out.add(new Case(-2, pngClaiming(9_000, 9_000), "image/png", null, "png claiming 9000x9000 = 81 Mpx (over max-pixels)"));
        out.add(new Case(-3, pngClaiming(10_001, 2), "image/png", null, "png claiming width 10001"));
        out.add(new Case(-4, pngClaiming(-1, 5), "image/png", null, "png claiming a negative width"));
        out.add(new Case(-5, pngClaiming(0, 0), "image/png", null, "png claiming 0x0"));
        out.add(new Case(-6, jpegFrame(encode(drawing(16, 16, BufferedImage.TYPE_INT_RGB, new SplittableRandom(1)), "jpeg"), 65_535, 65_535),
                "image/jpeg", null, "jpeg frame 65535x65535 (pixel flood)"));
        out.add(new Case(-7, deflateBomb(8_000, 8_000), "image/png", null, "deflate bomb: 256 MB of 64 Mpx in a few hundred KB"));
        out.add(new Case(-10, deflateBomb(2_000, 2_000), "image/png", null, "deflate bomb within the limits: 16 MB of pixels in a few KB"));
        out.add(new Case(-8, new byte[0], "image/png", null, "empty body"));
        out.add(new Case(-9, PNG_MAGIC.clone(), "image/png", null, "PNG magic only"));
        return out;
    }

    /** The next case: a seed, mutated 1-4 times, with a random declared type and format. */
    public Case next() {
        int pick = random.nextInt(seeds.size());
        byte[] b = seeds.get(pick).clone();
        StringBuilder how = new StringBuilder(seedNames.get(pick));
        int rounds = 1 + random.nextInt(random.nextInt(4) + 1);
        for (int i = 0; i < rounds; i++) {
            int op = random.nextInt(11);
            b = switch (op) {
                case 0 -> flipBits(b, how);
                case 1 -> interestingBytes(b, how);
                case 2 -> truncate(b, how);
                case 3 -> deleteSlice(b, how);
                case 4 -> duplicateSlice(b, how);
                case 5 -> insertRandom(b, how);
                case 6 -> splice(b, how);
                case 7, 8 -> isPng(b) ? mutatePngChunk(b, how) : flipBits(b, how);
                case 9 -> isPng(b) ? rewriteIhdr(b, how) : isJpeg(b) ? rewriteJpegFrame(b, how) : truncate(b, how);
                default -> isPng(b) ? dropOrRepeatChunk(b, how) : interestingBytes(b, how);
            };
        }
        // Mostly no claims, so most cases reach the header and the decoder rather than stop at a contradiction.
        String contentType = random.nextInt(10) < 6 ? null : CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
        String format = random.nextInt(10) < 8 ? null : FORMATS[random.nextInt(FORMATS.length)];
        return new Case(count++, b, contentType, format, how.toString());
    }

    // --- blind mutations ---

    private byte[] flipBits(byte[] b, StringBuilder how) {
        if (b.length == 0) {
            return b;
        }
        int n = 1 + random.nextInt(16);
        for (int i = 0; i < n; i++) {
            int at = random.nextInt(b.length);
            b[at] ^= (byte) (1 << random.nextInt(8));
        }
        how.append(" +flip").append(n);
        return b;
    }

    private byte[] interestingBytes(byte[] b, StringBuilder how) {
        if (b.length < 4) {
            return b;
        }
        int at = random.nextInt(b.length - 3);
        ByteBuffer.wrap(b, at, 4).putInt(INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
        how.append(" +int@").append(at);
        return b;
    }

    private byte[] truncate(byte[] b, StringBuilder how) {
        int len = b.length == 0 ? 0 : random.nextInt(b.length);
        how.append(" +cut").append(len);
        return Arrays.copyOf(b, len);
    }

    private byte[] deleteSlice(byte[] b, StringBuilder how) {
        if (b.length < 2) {
            return b;
        }
        int from = random.nextInt(b.length);
        int len = 1 + random.nextInt(Math.min(64, b.length - from));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, from + len, out, from, b.length - from - len);
        how.append(" +del").append(len).append('@').append(from);
        return out;
    }

    private byte[] duplicateSlice(byte[] b, StringBuilder how) {
        if (b.length < 2) {
            return b;
        }
        int from = random.nextInt(b.length);
        int len = 1 + random.nextInt(Math.min(256, b.length - from));
        int to = random.nextInt(b.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + len);
        out.write(b, 0, to);
        out.write(b, from, len);
        out.write(b, to, b.length - to);
        how.append(" +dup").append(len);
        return out.toByteArray();
    }

    private byte[] insertRandom(byte[] b, StringBuilder how) {
        int to = b.length == 0 ? 0 : random.nextInt(b.length);
        byte[] noise = new byte[1 + random.nextInt(32)];
        random.nextBytes(noise);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + noise.length);
        out.write(b, 0, to);
        out.writeBytes(noise);
        out.write(b, to, b.length - to);
        how.append(" +ins").append(noise.length);
        return out.toByteArray();
    }

    private byte[] splice(byte[] b, StringBuilder how) {
        byte[] other = seeds.get(random.nextInt(seeds.size()));
        int cutA = b.length == 0 ? 0 : random.nextInt(b.length);
        int cutB = random.nextInt(other.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, cutA);
        out.write(other, cutB, other.length - cutB);
        how.append(" +splice");
        return out.toByteArray();
    }

    // --- PNG-aware mutations: the result carries valid CRCs ---

    private record Chunk(String type, byte[] data) {
    }

    private static boolean isPng(byte[] b) {
        return b.length > 8 && Arrays.equals(b, 0, 8, PNG_MAGIC, 0, 8);
    }

    private static boolean isJpeg(byte[] b) {
        return b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8;
    }

    /** The chunks of a PNG, as far as they can be read; null where the structure is already broken. */
    private static List<Chunk> chunks(byte[] b) {
        List<Chunk> out = new ArrayList<>();
        int at = 8;
        while (at + 12 <= b.length) {
            int len = ByteBuffer.wrap(b, at, 4).getInt();
            if (len < 0 || at + 12L + len > b.length) {
                return null;
            }
            String type = new String(b, at + 4, 4, StandardCharsets.ISO_8859_1);
            out.add(new Chunk(type, Arrays.copyOfRange(b, at + 8, at + 8 + len)));
            at += 12 + len;
        }
        return out.isEmpty() ? null : out;
    }

    private static byte[] assemble(List<Chunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PNG_MAGIC);
        for (Chunk c : chunks) {
            out.writeBytes(chunk(c.type(), c.data()));
        }
        return out.toByteArray();
    }

    private byte[] mutatePngChunk(byte[] b, StringBuilder how) {
        List<Chunk> cs = chunks(b);
        if (cs == null) {
            return flipBits(b, how);
        }
        int i = random.nextInt(cs.size());
        Chunk c = cs.get(i);
        byte[] data = c.data().clone();
        if (data.length > 0) {
            int n = 1 + random.nextInt(8);
            for (int k = 0; k < n; k++) {
                data[random.nextInt(data.length)] = (byte) random.nextInt(256);
            }
        }
        cs.set(i, new Chunk(c.type(), data));
        how.append(" +png:").append(c.type());
        return assemble(cs);
    }

    private byte[] rewriteIhdr(byte[] b, StringBuilder how) {
        List<Chunk> cs = chunks(b);
        if (cs == null || !cs.get(0).type().equals("IHDR") || cs.get(0).data().length != 13) {
            return truncate(b, how);
        }
        ByteBuffer d = ByteBuffer.wrap(cs.get(0).data().clone());
        switch (random.nextInt(4)) {
            case 0 -> d.putInt(0, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
            case 1 -> d.putInt(4, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
            case 2 -> d.put(8, (byte) new int[] {0, 1, 2, 3, 4, 5, 8, 16, 32}[random.nextInt(9)]);
            default -> d.put(9 + random.nextInt(4), (byte) random.nextInt(8));
        }
        cs.set(0, new Chunk("IHDR", d.array()));
        how.append(" +ihdr");
        return assemble(cs);
    }

    private byte[] dropOrRepeatChunk(byte[] b, StringBuilder how) {
        List<Chunk> cs = chunks(b);
        if (cs == null || cs.size() < 2) {
            return flipBits(b, how);
        }
        int i = random.nextInt(cs.size());
        if (random.nextBoolean()) {
            how.append(" +drop:").append(cs.get(i).type());
            cs.remove(i);
        } else {
            how.append(" +repeat:").append(cs.get(i).type());
            cs.add(random.nextInt(cs.size() + 1), cs.get(i));
        }
        return assemble(cs);
    }

    private byte[] rewriteJpegFrame(byte[] b, StringBuilder how) {
        int w = random.nextBoolean() ? random.nextInt(1 << 16) : INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)] & 0xFFFF;
        int h = random.nextBoolean() ? random.nextInt(1 << 16) : INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)] & 0xFFFF;
        byte[] out = jpegFrame(b, w, h);
        how.append(" +sof").append(w).append('x').append(h);
        return out;
    }

    // --- building blocks ---

    private static boolean isImageFile(Path p) {
        String n = p.getFileName().toString().toLowerCase();
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    private static void add(List<byte[]> seeds, List<String> names, String name, byte[] bytes) {
        seeds.add(bytes);
        names.add(name);
    }

    private static BufferedImage drawing(int w, int h, int type, SplittableRandom r) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 6; i++) {
            g.setColor(new Color(r.nextInt(0x1000000)));
            g.fillRect(r.nextInt(w), r.nextInt(h), 1 + r.nextInt(w), 1 + r.nextInt(h));
        }
        g.dispose();
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " of image type " + img.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] progressiveJpeg(BufferedImage img) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(typeBytes).put(data).putInt((int) crc.getValue()).array();
    }

    private static byte[] pngClaiming(int width, int height) {
        byte[] ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).put(new byte[3]).array();
        return assemble(List.of(new Chunk("IHDR", ihdr), new Chunk("IDAT", deflate(new byte[3 * Math.max(1, Math.min(width, 64)) + 1])),
                new Chunk("IEND", new byte[0])));
    }

    /** A well-formed 8-bit RGBA PNG of the given size, all zeros: 4*w*h+h bytes deflated row by row to a tiny IDAT. */
    private static byte[] deflateBomb(int width, int height) {
        byte[] ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 6).put(new byte[3]).array();
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        byte[] row = new byte[4 * width + 1];
        byte[] buf = new byte[64 * 1024];
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        for (int y = 0; y < height; y++) {
            d.setInput(row);
            while (!d.needsInput()) {
                idat.write(buf, 0, d.deflate(buf));
            }
        }
        d.finish();
        while (!d.finished()) {
            idat.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return assemble(List.of(new Chunk("IHDR", ihdr), new Chunk("IDAT", idat.toByteArray()), new Chunk("IEND", new byte[0])));
    }

    private static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(raw);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    /** The JPEG with the size of its first SOFn frame rewritten (unchanged where it has none). */
    private static byte[] jpegFrame(byte[] jpeg, int width, int height) {
        byte[] copy = jpeg.clone();
        for (int i = 2; i + 9 < copy.length; i++) {
            int m = copy[i + 1] & 0xFF;
            if ((copy[i] & 0xFF) == 0xFF && m >= 0xC0 && m <= 0xC3) {
                copy[i + 5] = (byte) (height >> 8);
                copy[i + 6] = (byte) height;
                copy[i + 7] = (byte) (width >> 8);
                copy[i + 8] = (byte) width;
                return copy;
            }
        }
        return copy;
    }
}
