package io.planstream.ingest.image;

import static io.planstream.ingest.image.InvalidImageException.Reason.CONTENT_TYPE_MISMATCH;
import static io.planstream.ingest.image.InvalidImageException.Reason.DIMENSIONS_TOO_LARGE;
import static io.planstream.ingest.image.InvalidImageException.Reason.EMPTY_BODY;
import static io.planstream.ingest.image.InvalidImageException.Reason.INVALID_FORMAT;
import static io.planstream.ingest.image.InvalidImageException.Reason.NOT_RPLAN;
import static io.planstream.ingest.image.InvalidImageException.Reason.TOO_LARGE;
import static io.planstream.ingest.image.InvalidImageException.Reason.TRUNCATED;

import io.planstream.avro.ImageFormat;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decides whether uploaded bytes are an image this system accepts, cheapest checks first, and
 * never decodes a pixel before the header's dimensions have passed the limits.
 *
 * <p>Order: declared format, empty body, size, magic bytes, declared content type, header
 * dimensions, structural completeness (PNG IEND and CRCs, JPEG EOI), then a bounded decode and,
 * for PNGs of RPLAN size, RPLAN recognition. Stateless and safe to share between threads.
 */
public final class UploadValidator {

    /** Declared types that say nothing about the content, so there is nothing to contradict. */
    private static final String OCTET_STREAM = "application/octet-stream";
    /**
     * How ImageIO's JPEG reader words running out of data ("Truncated File - Missing EOI marker",
     * "Corrupt JPEG data: premature end of data segment"); it warns and returns a grey-padded image.
     */
    private static final List<String> TRUNCATION_WARNINGS = List.of("premature end", "truncated", "missing eoi");

    private final ImageLimits limits;

    public UploadValidator(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ImageLimits limits() {
        return limits;
    }

    /**
     * Validates an upload.
     *
     * @param bytes the uploaded bytes
     * @param declaredContentType the client's {@code Content-Type}, or null; parameters such as
     *     {@code ; charset=...} are ignored, as is {@code application/octet-stream}
     * @param declaredFormat {@code "rplan"} or {@code "picture"} (any case), or null to recognise
     *     RPLAN rasters automatically
     * @return the sniffed type, size, decoded image and, for RPLAN, the rendering and room counts
     * @throws InvalidImageException with the reason of the first check that failed
     */
    public ValidatedImage validate(byte[] bytes, String declaredContentType, String declaredFormat) {
        Optional<ImageFormat> requested = parseFormat(declaredFormat);
        boolean mustBeRplan = requested.equals(Optional.of(ImageFormat.RPLAN));
        boolean mayBeRplan = !requested.equals(Optional.of(ImageFormat.PICTURE));
        if (bytes == null || bytes.length == 0) {
            throw new InvalidImageException(EMPTY_BODY, "the upload is empty");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new InvalidImageException(TOO_LARGE,
                    "the upload is " + bytes.length + " bytes, limit is " + limits.maxBytes());
        }
        ImageType type = ImageProbe.sniff(bytes).orElseThrow(() -> ImageProbe.notAnImage(bytes));
        requireDeclaredTypeMatches(declaredContentType, type);

        ImageHeader header = ImageProbe.readHeader(bytes, type);
        requireWithinLimits(header.width(), header.height(), "header claims");
        ImageProbe.requireComplete(bytes, type);
        boolean rplanSized = type == ImageType.PNG && header.width() == Rplan.SIZE && header.height() == Rplan.SIZE;
        if (mustBeRplan && !rplanSized) {
            throw new InvalidImageException(NOT_RPLAN, "RPLAN files are 256x256 PNGs, got a "
                    + header.width() + "x" + header.height() + " " + type.contentType());
        }

        List<String> warnings = new ArrayList<>();
        BufferedImage image = decode(bytes, type, warnings);

        Optional<Rplan.Reading> rplan = mayBeRplan && rplanSized ? Rplan.read(image) : Optional.empty();
        if (mustBeRplan && rplan.isEmpty()) {
            throw new InvalidImageException(NOT_RPLAN, "declared rplan, but the PNG is not an RPLAN raster"
                    + " (expected 8-bit RGBA with boundary 0/127/255, category 0..17, inside mask 0/255)");
        }
        if (rplan.isPresent()) {
            byte[] rendered = Png.encode(rplan.get().picture());
            return new ValidatedImage(type.contentType(), image.getWidth(), image.getHeight(), ImageFormat.RPLAN,
                    image, Optional.of(rendered), rplan.get().metadata(), warnings);
        }
        return new ValidatedImage(type.contentType(), image.getWidth(), image.getHeight(), ImageFormat.PICTURE,
                image, Optional.empty(), Map.of(), warnings);
    }

    private static Optional<ImageFormat> parseFormat(String declaredFormat) {
        if (declaredFormat == null || declaredFormat.isBlank()) {
            return Optional.empty();
        }
        return switch (declaredFormat.trim().toLowerCase(Locale.ROOT)) {
            case "rplan" -> Optional.of(ImageFormat.RPLAN);
            case "picture" -> Optional.of(ImageFormat.PICTURE);
            default -> throw new InvalidImageException(INVALID_FORMAT,
                    "format must be 'rplan' or 'picture', got '" + declaredFormat + "'");
        };
    }

    private static void requireDeclaredTypeMatches(String declaredContentType, ImageType sniffed) {
        if (declaredContentType == null || declaredContentType.isBlank()) {
            return;
        }
        String bare = ImageType.mediaType(declaredContentType);
        if (bare.equals(OCTET_STREAM)) {
            return;
        }
        if (ImageType.fromContentType(bare).orElse(null) != sniffed) {
            throw new InvalidImageException(CONTENT_TYPE_MISMATCH,
                    "declared content type " + bare + ", but the bytes are " + sniffed.contentType());
        }
    }

    private void requireWithinLimits(int width, int height, String source) {
        long pixels = (long) width * height;
        if (pixels > limits.maxPixels()) {
            throw new InvalidImageException(DIMENSIONS_TOO_LARGE, source + " " + width + "x" + height
                    + " pixels (" + pixels + "), limit is " + limits.maxPixels());
        }
        if (width > limits.maxWidth()) {
            throw new InvalidImageException(DIMENSIONS_TOO_LARGE, source + " " + width + "x" + height
                    + " pixels: width " + width + " is over the limit of " + limits.maxWidth());
        }
        if (height > limits.maxHeight()) {
            throw new InvalidImageException(DIMENSIONS_TOO_LARGE, source + " " + width + "x" + height
                    + " pixels: height " + height + " is over the limit of " + limits.maxHeight());
        }
    }

    /**
     * Decodes the first image. The decoder's own reading of the size is checked against the limits
     * again, and the read is confined to that checked region, so a header our parser read one way
     * and the decoder another still cannot make it allocate more than the limits allow.
     */
    private BufferedImage decode(byte[] bytes, ImageType type, List<String> warnings) {
        ImageReader reader = ImageProbe.readerFor(type);
        BufferedImage image;
        try (ImageInputStream in = ImageProbe.memoryStream(bytes)) {
            // ignoreMetadata: text and ICC chunks are not needed and can themselves be compressed bombs.
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            requireWithinLimits(width, height, "decoder reads");
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceRegion(new Rectangle(0, 0, width, height));
            image = reader.read(0, param);
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO plugins throw unchecked exceptions (index, argument, state) on malformed data.
            throw ImageProbe.decodeFailure(type, "decode", e);
        } finally {
            reader.dispose();
        }
        // The EOI check has usually refused a cut-off JPEG already; this also covers readers of
        // other formats that warn rather than fail, and scan data that ends before its EOI.
        for (String warning : warnings) {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (TRUNCATION_WARNINGS.stream().anyMatch(lower::contains)) {
                throw new InvalidImageException(TRUNCATED,
                        "the " + type.contentType() + " decoder ran out of data: " + warning);
            }
        }
        return image;
    }
}
