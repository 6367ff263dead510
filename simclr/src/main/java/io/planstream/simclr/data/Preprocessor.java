package io.planstream.simclr.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns a picture file (an uploaded image's bytes: for an RPLAN file the colour picture rendered at
 * upload, whose raw channels are not colours) into the encoder's input as the model's manifest says:
 * the centre square resized to the input size with the resampling the model's evaluation and its
 * picture-folder training data use ({@link ImageFolder#input}); planes of floats in [0, 1].
 * Normalisation happens on the device with the batch. Serving (the embedder, the query encoder) and
 * continued training (the trainer) share it, so a model trains on exactly what it embeds.
 */
public final class Preprocessor {

    /** Pictures larger than this are refused before decoding, whatever reached the topic. */
    static final long MAX_PIXELS = 40_000_000L;

    private final int size;
    private final int channels;

    public Preprocessor(int size, int channels) {
        if (size < 8 || channels < 1 || channels > 3 || channels == 2) {
            throw new IllegalArgumentException("need size >= 8 and 1 or 3 channels, got " + size + ", " + channels);
        }
        this.size = size;
        this.channels = channels;
    }

    public int size() {
        return size;
    }

    public int channels() {
        return channels;
    }

    /** Floats of one image, {@code channels * size * size}, planes in CHW order. */
    public float[] apply(ByteBuffer picture) throws PreprocessException {
        BufferedImage image = decode(bytes(picture));
        try {
            return ImageFolder.input(image, size, channels);
        } catch (RuntimeException e) {
            throw new PreprocessException("preprocess", "cannot scale the picture to " + size + "x" + size + ": " + e, e);
        }
    }

    private static BufferedImage decode(byte[] bytes) throws PreprocessException {
        // In memory: ImageIO.createImageInputStream would back the stream with a temporary file per picture.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new PreprocessException("decode", "no picture format recognised in " + bytes.length + " bytes", null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new PreprocessException("decode", "picture of " + pixels + " pixels is over the limit of " + MAX_PIXELS, null);
                }
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw new PreprocessException("decode", "the decoder returned no picture", null);
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new PreprocessException("decode", "cannot decode the picture: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
