package io.planstream.ingest.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.awt.image.RenderedImage;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Encodes images as PNG in memory. */
public final class Png {

    private Png() {
    }

    /**
     * The image as PNG bytes. The same pixels always give the same bytes (ImageIO writes no
     * timestamp), which the generator's reproducibility relies on.
     *
     * @throws IllegalArgumentException if no PNG writer accepts the image's layout
     */
    public static byte[] encode(RenderedImage image) {
        Objects.requireNonNull(image, "image");
        Iterator<ImageWriter> writers = ImageIO.getImageWriters(ImageTypeSpecifier.createFromRenderedImage(image), "png");
        if (!writers.hasNext()) {
            throw new IllegalArgumentException("no PNG writer accepts images with sample model "
                    + image.getSampleModel().getClass().getSimpleName());
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // An explicit memory stream: ImageIO.write would spool through a temporary file while
        // ImageIO's global cache flag is on, which it is by default.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), null);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode a PNG in memory", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
