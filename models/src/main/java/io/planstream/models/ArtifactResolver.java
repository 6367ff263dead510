package io.planstream.models;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.commons.io.file.PathUtils;

import io.planstream.avro.ModelVersion;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.artifact.ModelArtifact;
import io.planstream.simclr.artifact.ModelManifest;

/**
 * Turns a published model version into a local artifact directory whose parameters match the
 * record's hash: a {@code kafka://} artifact is fetched from the artifacts topic into a cache (so
 * embedders, indexes and trainers on any machine need no shared disk), a {@code file://} one is used
 * where it lies (one machine, tests).
 */
public final class ArtifactResolver {

    /** How long a fetch from the artifacts topic may take before it counts as missing. */
    public static final Duration FETCH_TIMEOUT = Duration.ofMinutes(2);

    private final KafkaPlatform platform;
    private final Path cacheRoot;

    /**
     * @param platform where {@code kafka://} artifacts are read from; may be null where only
     *     {@code file://} artifacts are expected
     * @param cacheRoot where fetched artifacts are kept, one directory per version
     */
    public ArtifactResolver(KafkaPlatform platform, Path cacheRoot) {
        this.platform = platform;
        this.cacheRoot = cacheRoot;
    }

    /** The checked local directory of {@code v}'s artifact. */
    public Path resolve(ModelVersion v) throws ArtifactException {
        Path dir = locate(v);
        if (!matches(dir, v) && v.getArtifactUri().startsWith(ArtifactUri.SCHEME + ":")) {
            // The cache is keyed by version: a copy left by another deployment (a Kafka reset under the
            // same data directory) holds other parameters. It is dropped and fetched again, once.
            deleteTree(dir);
            dir = locate(v);
        }
        if (!matches(dir, v)) {
            Path parameters = ModelArtifact.parametersFile(dir);
            throw new ArtifactException("parameters of version " + v.getVersion() + " (" + parameters.getFileName()
                    + ") have SHA-256 " + ModelArtifact.sha256Hex(parameters) + " but the published record says "
                    + v.getArtifactSha256());
        }
        requireRecordMatchesManifest(v, ModelArtifact.readManifest(dir));
        return dir;
    }

    /**
     * The record's promises about the artifact, against the artifact's own manifest: a version whose
     * record says one embedding dimension or input size and whose encoder gives another would fill the
     * index with vectors of the wrong size, or feed the encoder pictures of the wrong size.
     */
    static void requireRecordMatchesManifest(ModelVersion v, ModelManifest m) throws ArtifactException {
        if (m.embeddingDim() != v.getDimension()) {
            throw new ArtifactException("the record of version " + v.getVersion() + " says embedding dimension "
                    + v.getDimension() + " but the artifact's manifest gives " + m.embeddingDim());
        }
        if (m.inputSize() != v.getInputSize()) {
            throw new ArtifactException("the record of version " + v.getVersion() + " says input size "
                    + v.getInputSize() + " px but the artifact's manifest gives " + m.inputSize());
        }
    }

    /** Whether the parameter file the artifact's manifest names has the record's hash; false for no readable manifest. */
    private static boolean matches(Path dir, ModelVersion v) throws ArtifactException {
        Path parameters;
        try {
            parameters = ModelArtifact.parametersFile(dir);
        } catch (ArtifactException e) {
            return false;
        }
        return Files.isRegularFile(parameters) && ModelArtifact.sha256Hex(parameters).equalsIgnoreCase(v.getArtifactSha256());
    }

    private static void deleteTree(Path dir) throws ArtifactException {
        try {
            PathUtils.deleteDirectory(dir);
        } catch (IOException e) {
            throw new ArtifactException("cannot delete the stale cached artifact " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path locate(ModelVersion v) throws ArtifactException {
        String uri = v.getArtifactUri();
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new ArtifactException("artifact URI '" + uri + "' of version " + v.getVersion() + " is not a URI: " + e.getMessage());
        }
        if ("file".equals(u.getScheme())) {
            return Path.of(u);
        }
        if (ArtifactUri.SCHEME.equals(u.getScheme())) {
            if (platform == null) {
                throw new ArtifactException("artifact of version " + v.getVersion() + " lies in Kafka (" + uri
                        + ") but this reader has no Kafka connection");
            }
            try {
                return new ArtifactFetcher(platform, FETCH_TIMEOUT).fetch(u, cacheRoot);
            } catch (IOException | RuntimeException e) {
                throw new ArtifactException("artifact of version " + v.getVersion() + " cannot be fetched from " + uri + ": " + e.getMessage());
            }
        }
        throw new ArtifactException("artifact URI '" + uri + "' of version " + v.getVersion()
                + " has no supported scheme (kafka://, file://)");
    }
}
