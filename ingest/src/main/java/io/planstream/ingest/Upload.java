package io.planstream.ingest;

import java.util.Map;
import java.util.Objects;

/**
 * One upload as a client sent it, before validation.
 *
 * @param bytes the body
 * @param declaredContentType the Content-Type the client declared, or null
 * @param clientId the id the client asked for, or null for the SHA-256 of the bytes
 * @param declaredFormat {@code rplan}, {@code picture} or null to recognise it
 * @param source where it came from (http, cli, ...)
 * @param filename the file name the client gave, or null
 * @param metadata free-form fields the client attached
 */
public record Upload(byte[] bytes, String declaredContentType, String clientId, String declaredFormat,
                     String source, String filename, Map<String, String> metadata) {

    public Upload {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        metadata = Map.copyOf(metadata);
    }
}
