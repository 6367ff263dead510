package io.planstream.ingest.image;

import java.util.Locale;
import java.util.Optional;

/** The image containers {@link ImageProbe} recognises by their magic bytes. */
public enum ImageType {
    PNG("image/png"),
    JPEG("image/jpeg"),
    GIF("image/gif"),
    BMP("image/bmp"),
    TIFF("image/tiff"),
    WEBP("image/webp");

    private final String contentType;

    ImageType(String contentType) {
        this.contentType = contentType;
    }

    /** The canonical MIME type, e.g. {@code image/jpeg}. */
    public String contentType() {
        return contentType;
    }

    /**
     * The type a client-declared {@code Content-Type} names, ignoring parameters and case and
     * accepting the aliases browsers and old tools still send ({@code image/jpg}, {@code image/x-png}).
     */
    public static Optional<ImageType> fromContentType(String declared) {
        if (declared == null) {
            return Optional.empty();
        }
        String bare = mediaType(declared);
        return switch (bare) {
            case "image/png", "image/x-png" -> Optional.of(PNG);
            case "image/jpeg", "image/jpg", "image/pjpeg" -> Optional.of(JPEG);
            case "image/gif" -> Optional.of(GIF);
            case "image/bmp", "image/x-bmp", "image/x-ms-bmp", "image/x-windows-bmp" -> Optional.of(BMP);
            case "image/tiff", "image/tif", "image/x-tiff" -> Optional.of(TIFF);
            case "image/webp" -> Optional.of(WEBP);
            default -> Optional.empty();
        };
    }

    /** {@code "Image/PNG; charset=binary"} becomes {@code "image/png"}. */
    static String mediaType(String declared) {
        int semicolon = declared.indexOf(';');
        String bare = semicolon < 0 ? declared : declared.substring(0, semicolon);
        return bare.trim().toLowerCase(Locale.ROOT);
    }
}
