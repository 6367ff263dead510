package io.planstream.app.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.commons.io.FileUtils;
import org.jboss.logging.Logger;

import io.planstream.app.config.BodyLimits;
import io.planstream.app.config.PlanstreamConfig;
import io.planstream.avro.ModelVersion;
import io.planstream.models.ModelLog;
import io.planstream.models.ModelRecords;
import io.planstream.models.ModelTarget;
import io.planstream.platform.KafkaPlatform;
import io.planstream.simclr.artifact.ModelManifest;
import io.planstream.simclr.artifact.TorchScriptImport;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.RefusedEncoderException;

/**
 * Imports an operator's TorchScript encoder as the next model version: the upload is written to
 * {@code data-dir/imports}, checked and measured ({@link TorchScriptImport}), and published through the
 * artifacts topic like a trained version, from where every embedder, index and query encoder takes it. The
 * local copy is deleted once Kafka holds it.
 */
@ApplicationScoped
public class ModelImporter {

    /** The {@code publisher} of imported versions. */
    public static final String PUBLISHER = "operator import";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(ModelImporter.class);

    /**
     * What the operator says about the file.
     *
     * @param normalization {@code imagenet}, {@code centred} or {@code none}
     * @param fileName the module's name in the artifact
     */
    public record Request(int inputSize, int channels, String normalization, String fileName) {
    }

    @Inject
    PlanstreamConfig planstream;

    @Inject
    BodyLimits limits;

    @Inject
    KafkaPlatform platform;

    @Inject
    OperatorPublisher operator;

    /**
     * @param body the TorchScript file; read to its end or to the limit
     * @return the published version's record
     * @throws ModelImportException for a refused request or file; nothing is published then
     */
    public ModelsAnswer.Imported importEncoder(InputStream body, Request request) throws IOException {
        Normalization normalization = check(request);
        Path imports = planstream.dataPath("imports");
        Files.createDirectories(imports);
        String id = UUID.randomUUID().toString();
        Path upload = imports.resolve(".upload-" + id + ".pt");
        Path artifact = imports.resolve(".import-" + id);
        try {
            receive(body, upload, limits.limit(BodyLimits.IMPORT_PATH));
            ModelManifest manifest;
            try {
                manifest = TorchScriptImport.importEncoder(upload, request.fileName(), request.inputSize(), request.channels(),
                        normalization, artifact, Clock.systemUTC());
            } catch (RefusedEncoderException e) {
                throw new ModelImportException(400, switch (e.reason()) {
                    case NOT_TORCHSCRIPT -> "not_torchscript";
                    case FORWARD_FAILED -> "encoder_failed";
                    case WRONG_OUTPUT -> "wrong_output";
                }, e.getMessage());
            }
            ModelVersion template = ModelRecords.template(artifact, null, Map.of(), PUBLISHER);
            return operator.run(publisher -> {
                // Under the operator's lock: two imports of one file cannot both pass this check.
                TreeMap<Integer, ModelVersion> known = ModelLog.readAll(platform, READ_TIMEOUT);
                for (ModelVersion v : known.values()) {
                    if (sameModel(v, template)) {
                        throw new ModelImportException(409, "already_published", "this file with the same input and normalisation"
                                + " is version " + v.getVersion() + " already; pin it with planstream model activate " + v.getVersion());
                    }
                }
                ModelVersion published = publisher.publish(artifact, template);
                known.put(published.getVersion(), published);
                OptionalInt target = ModelTarget.select(known);
                LOG.infof("imported %s as model version %d (%d dimensions, %d px, %s)", manifest.parametersFile(),
                        published.getVersion(), manifest.embeddingDim(), manifest.inputSize(), request.normalization());
                return new ModelsAnswer.Imported(published.getVersion(), target.isPresent() ? target.getAsInt() : null,
                        published.getArchitecture(), published.getDimension(), published.getInputSize(), manifest.inputChannels(),
                        request.normalization(), manifest.parametersFile(), published.getArtifactUri(),
                        published.getArtifactSha256(), published.getPublisher(), published.getCreatedTime());
            });
        } finally {
            Files.deleteIfExists(upload);
            deleteTree(artifact);
        }
    }

    /** The request's arguments, checked before a byte of the body is read. */
    private static Normalization check(Request r) {
        if (r.channels() != 1 && r.channels() != 3) {
            throw new ModelImportException(400, "invalid_import",
                    "channels must be 1 (grey) or 3 (RGB), the pictures the embedder feeds an encoder; got " + r.channels());
        }
        try {
            Normalization n = Normalization.named(r.normalization(), r.channels());
            TorchScriptImport.checkArguments(r.fileName(), r.inputSize(), r.channels(), n);
            return n;
        } catch (IllegalArgumentException e) {
            throw new ModelImportException(400, "invalid_import", e.getMessage());
        }
    }

    /** Copies the body to {@code file}, refusing it once it passes {@code limit} bytes (a body without Content-Length). */
    private static void receive(InputStream body, Path file, long limit) throws IOException {
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                total += n;
                if (total > limit) {
                    throw new ModelImportException(413, "too_large",
                            "the body is over the " + limit + " bytes of planstream.models.max-import-bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        if (total == 0) {
            throw new ModelImportException(400, "empty_body", "the body is empty: send the TorchScript file as application/octet-stream");
        }
    }

    /** The same file, taking the same pictures normalised the same way. */
    private static boolean sameModel(ModelVersion v, ModelVersion candidate) {
        Map<String, String> a = v.getManifest();
        Map<String, String> b = candidate.getManifest();
        return v.getArtifactSha256().equalsIgnoreCase(candidate.getArtifactSha256()) && v.getInputSize() == candidate.getInputSize()
                && Objects.equals(a.get("channels"), b.get("channels")) && Objects.equals(a.get("normalization"), b.get("normalization"));
    }

    /** Deletes the working copy; a failure is logged, not thrown, so it never hides the import's own outcome. */
    private static void deleteTree(Path dir) {
        try {
            FileUtils.deleteDirectory(dir.toFile());
        } catch (IOException e) {
            LOG.warnf("cannot delete the import's working copy %s (delete it by hand): %s", dir, e.toString());
        }
    }
}
