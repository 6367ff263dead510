package io.planstream.simclr.artifact;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Encoders;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.RefusedEncoderException;
import io.planstream.simclr.model.SimClrModel;
import io.planstream.simclr.model.TorchScriptEncoder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.codec.digest.MessageDigestAlgorithms;

/**
 * A SimCLR model on disk: a directory with the parameters of f(.) and g(.) in DJL's format and a
 * {@code manifest.json} that says how to rebuild the network, how to feed it, where it came from,
 * and the SHA-256 of the parameter file. An encoder imported as TorchScript ({@link
 * TorchScriptImport}) is an artifact too, with the module file in place of the parameters; {@link
 * #loadTorchScript} runs it.
 *
 * <p>Loading trusts nothing: it checks the manifest's fields, the hash, that the architecture the
 * manifest describes takes every parameter with the same shape and leaves none over, and fails
 * with a message naming what is wrong. The manifest is written last, so a directory with a
 * manifest holds a complete artifact.
 */
public final class ModelArtifact implements AutoCloseable {

    public static final String MANIFEST = "manifest.json";
    public static final String PARAMETERS = "parameters.djl";

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .addModule(new JavaTimeModule())
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .build();

    private final Path directory;
    private final ModelManifest manifest;
    private final SimClrModel model;
    private final NDManager manager;

    private ModelArtifact(Path directory, ModelManifest manifest, SimClrModel model, NDManager manager) {
        this.directory = directory;
        this.manifest = manifest;
        this.model = model;
        this.manager = manager;
    }

    public Path directory() {
        return directory;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** @return the network with its parameters; valid until this artifact is closed */
    public SimClrModel model() {
        return model;
    }

    public Normalization normalization() {
        return manifest.normalizationSpec();
    }

    /** Frees the parameters. */
    @Override
    public void close() {
        manager.close();
    }

    /** Writes {@code model} to a new or empty directory, using the system clock. */
    public static ModelManifest save(Path dir, SimClrModel model, ArtifactInfo info)
            throws IOException {
        return save(dir, model, info, Clock.systemUTC());
    }

    /**
     * Writes {@code model} to {@code dir}, which must not exist or be empty.
     *
     * @param dir the artifact directory
     * @param model an initialised model
     * @param info version, normalisation, provenance, metrics
     * @param clock the source of the creation time
     * @return the manifest written
     * @throws IOException if writing fails or the directory is not empty
     */
    public static ModelManifest save(Path dir, SimClrModel model, ArtifactInfo info, Clock clock)
            throws IOException {
        return save(dir, model, info, null, clock);
    }

    /**
     * Writes {@code model} with the transform its embeddings are served with ({@link EmbeddingTransform#FILE},
     * before the manifest), using the system clock.
     *
     * @param transform null for none: h is served as it is
     */
    public static ModelManifest save(Path dir, SimClrModel model, ArtifactInfo info, EmbeddingTransform transform)
            throws IOException {
        return save(dir, model, info, transform, Clock.systemUTC());
    }

    private static ModelManifest save(Path dir, SimClrModel model, ArtifactInfo info, EmbeddingTransform transform,
                                      Clock clock) throws IOException {
        if (!model.isInitialized()) {
            throw new IllegalArgumentException("the model has no parameters yet: initialise it first");
        }
        EncoderSpec spec = model.encoderSpec();
        if (info.normalization().channels() != spec.inputChannels()) {
            throw new IllegalArgumentException(
                    "normalization has "
                            + info.normalization().channels()
                            + " channels but the encoder takes "
                            + spec.inputChannels());
        }
        if (transform != null && transform.dim() != spec.embeddingDim()) {
            throw new IllegalArgumentException("the embedding transform takes " + transform.dim()
                    + " features but the encoder gives " + spec.embeddingDim());
        }
        createEmpty(dir);
        if (transform != null) {
            transform.write(dir);
        }
        Path parameters = dir.resolve(PARAMETERS);
        MessageDigest digest = DigestUtils.getSha256Digest();
        try (OutputStream file = Files.newOutputStream(parameters);
                DataOutputStream out =
                        new DataOutputStream(
                                new BufferedOutputStream(new DigestOutputStream(file, digest)))) {
            model.saveParameters(out);
        }
        ProjectionHeadSpec head = model.headSpec();
        ModelManifest manifest =
                new ModelManifest(
                        ModelManifest.FORMAT_VERSION,
                        spec.name(),
                        spec.width(),
                        spec.stem().id(),
                        spec.inputSize(),
                        spec.inputChannels(),
                        info.normalization(),
                        spec.embeddingDim(),
                        new ModelManifest.HeadJson(
                                head.layers(), head.hiddenDim(), head.outputDim(), head.batchNorm()),
                        info.version(),
                        info.parentVersion(),
                        info.trainingData(),
                        info.trainingSteps(),
                        info.metrics(),
                        PARAMETERS,
                        Hex.encodeHexString(digest.digest()),
                        Encoders.parameterCount(model, true),
                        clock.instant());
        writeManifest(dir, manifest);
        return manifest;
    }

    /** Creates {@code dir}, or checks that it is an empty directory: an artifact is never overwritten. */
    static void createEmpty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new ArtifactException(dir + " exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new ArtifactException(
                            dir + " is not empty: a model artifact is never overwritten");
                }
            }
        }
        Files.createDirectories(dir);
    }

    /** Writes the manifest last and atomically: a directory with a manifest holds a complete artifact. */
    static void writeManifest(Path dir, ModelManifest manifest) throws IOException {
        AtomicFiles.writeJson(JSON, dir.resolve(MANIFEST), manifest);
    }

    /**
     * Reads and checks {@code manifest.json} alone (no parameters, no hash).
     *
     * @param dir the artifact directory
     * @return the manifest
     * @throws ArtifactException if it is missing or malformed
     */
    public static ModelManifest readManifest(Path dir) throws ArtifactException {
        if (!Files.isDirectory(dir)) {
            throw new ArtifactException("no model artifact at " + dir + ": not a directory");
        }
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new ArtifactException(
                    "no " + MANIFEST + " in " + dir + ": not a model artifact, or an unfinished one");
        }
        ModelManifest m;
        try {
            m = JSON.readValue(file.toFile(), ModelManifest.class);
        } catch (JsonProcessingException e) {
            throw new ArtifactException(
                    MANIFEST + " in " + dir + " is not a valid manifest: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ArtifactException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (m.formatVersion() != ModelManifest.FORMAT_VERSION) {
            throw new ArtifactException(
                    MANIFEST
                            + " in "
                            + dir
                            + " has format_version "
                            + m.formatVersion()
                            + "; this build reads "
                            + ModelManifest.FORMAT_VERSION);
        }
        try {
            if (m.isTorchScript()) {
                checkTorchScript(m);
            } else {
                checkResNet(m);
            }
            Normalization n = m.normalizationSpec();
            if (n.channels() != m.inputChannels()) {
                throw new IllegalArgumentException(
                        "normalization has " + n.channels() + " channels, input_channels is "
                                + m.inputChannels());
            }
            if (m.version() == null || m.version().isBlank()) {
                throw new IllegalArgumentException("version is missing");
            }
            if (m.parametersFile() == null
                    || m.parametersFile().isBlank()
                    || Path.of(m.parametersFile()).getNameCount() != 1
                    || m.parametersFile().contains("..")
                    || m.parametersFile().equals(MANIFEST)) {
                throw new IllegalArgumentException(
                        "parameters_file must be a plain file name, got: " + m.parametersFile());
            }
            if (m.parametersSha256() == null || !m.parametersSha256().matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(
                        "parameters_sha256 must be 64 lowercase hex digits, got: "
                                + m.parametersSha256());
            }
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(MANIFEST + " in " + dir + " is inconsistent: " + e.getMessage(), e);
        }
        return m;
    }

    private static void checkResNet(ModelManifest m) {
        EncoderSpec spec = m.encoderSpec();
        m.headSpec();
        if (m.embeddingDim() != spec.embeddingDim()) {
            throw new IllegalArgumentException(
                    "embedding_dim is "
                            + m.embeddingDim()
                            + " but "
                            + spec.name()
                            + " at width "
                            + spec.width()
                            + " gives "
                            + spec.embeddingDim());
        }
    }

    /** The fields an imported module's manifest must have; width and stem mean nothing there. */
    private static void checkTorchScript(ModelManifest m) {
        if (m.projectionHead() != null) {
            throw new IllegalArgumentException(
                    "projection_head is set, but an imported TorchScript encoder has none");
        }
        if (m.inputSize() < EncoderSpec.MIN_SIZE || m.inputSize() > EncoderSpec.MAX_SIZE) {
            throw new IllegalArgumentException(
                    "input_size must be in ["
                            + EncoderSpec.MIN_SIZE
                            + ", "
                            + EncoderSpec.MAX_SIZE
                            + "], got: "
                            + m.inputSize());
        }
        if (m.inputChannels() < 1 || m.inputChannels() > EncoderSpec.MAX_CHANNELS) {
            throw new IllegalArgumentException(
                    "input_channels must be in [1, " + EncoderSpec.MAX_CHANNELS + "], got: " + m.inputChannels());
        }
        if (m.embeddingDim() < 1 || m.embeddingDim() > TorchScriptEncoder.MAX_EMBEDDING_DIM) {
            throw new IllegalArgumentException(
                    "embedding_dim must be in [1, "
                            + TorchScriptEncoder.MAX_EMBEDDING_DIM
                            + "], got: "
                            + m.embeddingDim());
        }
    }

    /**
     * The parameter file an artifact's manifest names: {@link #PARAMETERS} for a model trained here,
     * the module's {@code .pt} file for an imported TorchScript encoder. Not checked against its hash.
     *
     * @throws ArtifactException if the manifest is missing or malformed
     */
    public static Path parametersFile(Path dir) throws ArtifactException {
        return dir.resolve(readManifest(dir).parametersFile());
    }

    /** The parameter file of {@code m}, checked to exist and to have the manifest's SHA-256. */
    private static Path checkedParameters(Path dir, ModelManifest m) throws ArtifactException {
        Path parameters = dir.resolve(m.parametersFile());
        if (!Files.isRegularFile(parameters)) {
            throw new ArtifactException(
                    "the manifest in " + dir + " names " + m.parametersFile() + ", which is missing");
        }
        String actual = sha256Hex(parameters);
        if (!actual.equals(m.parametersSha256())) {
            throw new ArtifactException(
                    m.parametersFile()
                            + " in "
                            + dir
                            + " has SHA-256 "
                            + actual
                            + " but the manifest says "
                            + m.parametersSha256()
                            + ": the file was changed, truncated or replaced");
        }
        return parameters;
    }

    /**
     * Loads and verifies an imported TorchScript encoder: manifest, hash, and one probe forward pass
     * whose output must have the manifest's dimension.
     *
     * @param dir the artifact directory
     * @param device where the module's weights go
     * @return the encoder; the caller closes it
     * @throws ArtifactException naming what is wrong, including that {@code dir} holds a model
     *     trained here (load those with {@link #load})
     */
    public static TorchScriptEncoder loadTorchScript(Path dir, Device device) throws ArtifactException {
        ModelManifest m = readManifest(dir);
        if (!m.isTorchScript()) {
            throw new ArtifactException(
                    dir + " holds a Planstream " + m.architecture() + " model, not an imported TorchScript encoder");
        }
        Path module = checkedParameters(dir, m);
        TorchScriptEncoder encoder;
        try {
            encoder = TorchScriptEncoder.load(module, device, m.inputChannels(), m.inputSize());
        } catch (RefusedEncoderException e) {
            throw new ArtifactException(m.parametersFile() + " in " + dir + " cannot serve as an encoder: " + e.getMessage(), e);
        }
        if (encoder.embeddingDim() != m.embeddingDim()) {
            int got = encoder.embeddingDim();
            encoder.close();
            throw new ArtifactException(
                    "the manifest in " + dir + " says embedding_dim " + m.embeddingDim() + " but "
                            + m.parametersFile() + " returns " + got + " dimensions");
        }
        return encoder;
    }

    /**
     * Loads and verifies an artifact.
     *
     * @param dir the artifact directory
     * @param parent the manager whose device receives the parameters; the artifact owns a
     *     sub-manager of it, freed by {@link #close()}
     * @return the loaded artifact
     * @throws ArtifactException naming what is wrong: no manifest, malformed manifest, hash
     *     mismatch, parameters that do not fit the architecture, an imported TorchScript encoder
     */
    public static ModelArtifact load(Path dir, NDManager parent) throws ArtifactException {
        ModelManifest m = readManifest(dir);
        if (m.isTorchScript()) {
            throw new ArtifactException(
                    dir
                            + " holds an imported TorchScript encoder ("
                            + m.parametersFile()
                            + "), not a SimCLR model: it has no projection head and can only embed"
                            + " (see loadTorchScript)");
        }
        Path parameters = checkedParameters(dir, m);
        EncoderSpec spec = m.encoderSpec();
        SimClrModel model = SimClrModel.builder().setEncoder(spec).optHead(m.headSpec()).build();
        NDManager manager = parent.newSubManager();
        try {
            readParameters(model, spec, parameters, manager, m);
        } catch (ArtifactException | RuntimeException e) {
            manager.close();
            throw e;
        }
        return new ModelArtifact(dir, m, model, manager);
    }

    private static void readParameters(
            SimClrModel model, EncoderSpec spec, Path file, NDManager manager, ModelManifest m)
            throws ArtifactException {
        String what = spec.name() + " width " + spec.width() + " stem " + spec.stem().id();
        try (NDManager scratch = manager.newSubManager()) {
            // Initialising first gives every parameter the shape the architecture expects; the
            // random arrays die with the scratch manager once the file's arrays replace them.
            model.initialize(scratch, DataType.FLOAT32, spec.inputShape(1));
            Map<String, Shape> expected = new HashMap<>();
            for (Pair<String, Parameter> p : model.getParameters()) {
                expected.put(p.getKey(), p.getValue().getArray().getShape());
            }
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
                    DataInputStream data = new DataInputStream(in)) {
                model.loadParameters(manager, data);
                if (data.read() != -1) {
                    throw new ArtifactException(
                            file.getFileName()
                                    + " holds more parameters than "
                                    + what
                                    + " has: it belongs to another architecture");
                }
            }
            for (Pair<String, Parameter> p : model.getParameters()) {
                Shape got = p.getValue().getArray().getShape();
                Shape want = expected.get(p.getKey());
                if (!got.equals(want)) {
                    throw new ArtifactException(
                            "parameter "
                                    + p.getKey()
                                    + " has shape "
                                    + got
                                    + " in "
                                    + file.getFileName()
                                    + " but "
                                    + what
                                    + " needs "
                                    + want
                                    + ": the parameters do not fit the manifest's architecture");
                }
            }
            if (m.parameterCount() != 0 && Encoders.parameterCount(model, true) != m.parameterCount()) {
                throw new ArtifactException(
                        "the manifest says parameter_count "
                                + m.parameterCount()
                                + " but "
                                + what
                                + " has "
                                + Encoders.parameterCount(model, true));
            }
        } catch (IOException | MalformedModelException | RuntimeException e) {
            if (e instanceof ArtifactException a) {
                throw a;
            }
            throw new ArtifactException(
                    file.getFileName()
                            + " does not fit "
                            + what
                            + " as the manifest says: "
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    e);
        }
    }

    /** @return the lowercase hex SHA-256 of a file */
    public static String sha256Hex(Path file) throws ArtifactException {
        try {
            return new DigestUtils(MessageDigestAlgorithms.SHA_256).digestAsHex(file);
        } catch (IOException e) {
            throw new ArtifactException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
