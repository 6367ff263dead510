package io.planstream.simclr.artifact;

import ai.djl.Device;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.Normalization;
import io.planstream.simclr.model.RefusedEncoderException;
import io.planstream.simclr.model.TorchScriptEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns an encoder trained elsewhere, exported from PyTorch as TorchScript, into a model artifact the
 * pipeline runs like any other version: the module file as it came, and a manifest ({@code
 * architecture} {@value ModelManifest#TORCHSCRIPT}) with the input the module takes, how pictures
 * are normalised for it, the dimension of its output, measured by one forward pass, and the file's
 * SHA-256. There is no projection head, so such a version embeds but cannot be pretrained further.
 */
public final class TorchScriptImport {

    /** The stored file's name when the caller has none (an HTTP body). */
    public static final String DEFAULT_FILE_NAME = "encoder.pt";

    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}\\.pt");

    private TorchScriptImport() {}

    /** @return whether {@code name} may name the module in an artifact: letters, digits, {@code . _ -}, ending in {@code .pt} */
    public static boolean acceptsFileName(String name) {
        return name != null && FILE_NAME.matcher(name).matches();
    }

    /** Imports {@code pt} under its own file name; see {@link #importEncoder(Path, String, int, int, Normalization, Path, Clock)}. */
    public static ModelManifest importEncoder(
            Path pt, int inputSize, int channels, Normalization normalization, Path outDir) throws IOException {
        return importEncoder(
                pt, pt.getFileName().toString(), inputSize, channels, normalization, outDir, Clock.systemUTC());
    }

    /**
     * Checks that {@code pt} is a TorchScript encoder for (N, channels, inputSize, inputSize) input,
     * then writes it with its manifest to {@code outDir}.
     *
     * @param pt the module, as {@code torch.jit.save} wrote it; not changed
     * @param fileName its name in the artifact: letters, digits, {@code . _ -}, ending in {@code .pt}
     * @param inputSize the side of the square pictures the module takes
     * @param channels their channels
     * @param normalization how pictures in [0, 1] are normalised before the module sees them
     * @param outDir a new or empty directory
     * @param clock the source of the creation time
     * @return the manifest written
     * @throws IllegalArgumentException for a size, channel count, normalisation or file name out of range
     * @throws RefusedEncoderException when the file is no TorchScript module, fails on such input, or
     *     does not return one (N, D) tensor; nothing is left in {@code outDir}
     * @throws IOException when reading or writing fails
     */
    public static ModelManifest importEncoder(
            Path pt,
            String fileName,
            int inputSize,
            int channels,
            Normalization normalization,
            Path outDir,
            Clock clock)
            throws IOException {
        checkArguments(fileName, inputSize, channels, normalization);
        if (!Files.isRegularFile(pt)) {
            throw new ArtifactException("no TorchScript file at " + pt);
        }
        ModelArtifact.createEmpty(outDir);
        Path copy = outDir.resolve(fileName);
        try {
            // What is checked is the copy, so the hash in the manifest covers what was run.
            Files.copy(pt, copy);
            String sha = ModelArtifact.sha256Hex(copy);
            int dim;
            long parameters;
            try (TorchScriptEncoder encoder = TorchScriptEncoder.load(copy, Device.cpu(), channels, inputSize)) {
                dim = encoder.embeddingDim();
                parameters = encoder.parameterCount();
            }
            ModelManifest manifest =
                    new ModelManifest(
                            ModelManifest.FORMAT_VERSION,
                            ModelManifest.TORCHSCRIPT,
                            1,
                            null,
                            inputSize,
                            channels,
                            normalization,
                            dim,
                            null,
                            "import-" + sha.substring(0, 12),
                            null,
                            "imported TorchScript encoder " + pt.getFileName(),
                            0,
                            Map.of(),
                            fileName,
                            sha,
                            parameters,
                            clock.instant());
            ModelArtifact.writeManifest(outDir, manifest);
            return manifest;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(outDir.resolve(ModelArtifact.MANIFEST + ".tmp"));
            Files.deleteIfExists(copy);
            throw e;
        }
    }

    /**
     * Checks what {@link #importEncoder} would check of its arguments before it reads the file: a caller
     * holding a large upload can refuse bad arguments first.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static void checkArguments(String fileName, int inputSize, int channels, Normalization normalization) {
        if (!acceptsFileName(fileName)) {
            throw new IllegalArgumentException(
                    "the file name must be letters, digits, '.', '_' or '-' ending in .pt (at most 103"
                            + " characters), got: '" + fileName + "'");
        }
        if (inputSize < EncoderSpec.MIN_SIZE || inputSize > EncoderSpec.MAX_SIZE) {
            throw new IllegalArgumentException(
                    "input size must be in [" + EncoderSpec.MIN_SIZE + ", " + EncoderSpec.MAX_SIZE + "], got: " + inputSize);
        }
        if (channels < 1 || channels > EncoderSpec.MAX_CHANNELS) {
            throw new IllegalArgumentException(
                    "channels must be in [1, " + EncoderSpec.MAX_CHANNELS + "], got: " + channels);
        }
        if (normalization == null || normalization.channels() != channels) {
            throw new IllegalArgumentException(
                    "the normalization must have one mean and std per input channel ("
                            + channels + "), got: " + normalization);
        }
    }
}
