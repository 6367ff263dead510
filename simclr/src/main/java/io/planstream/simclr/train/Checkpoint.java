package io.planstream.simclr.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.planstream.simclr.artifact.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The training state saved next to a checkpoint's model artifact, as {@code checkpoint.json}: enough
 * to continue the run where it stopped.
 *
 * <p>What a resume restores: the parameters (the artifact), the step counter and with it the
 * learning-rate schedule, and the random streams. The image order of an epoch and the augmentations
 * of a step are drawn from generators seeded by (seed, epoch) and (seed, step), so the step is the
 * position of every random stream and a resumed run sees exactly the batches and views the
 * uninterrupted run would have seen.
 *
 * <p>What it does not restore: the optimiser's own state, LARS's momentum buffers or Adam's moment
 * estimates. Neither DJL's optimisers nor {@link io.planstream.simclr.optim.Lars} expose them, and
 * they are keyed by parameter ids that change with every new network. A resumed optimiser starts
 * them at zero; with momentum 0.9 they are rebuilt within a few dozen steps, so the resumed loss
 * curve is continuous but not bit-identical to an uninterrupted run.
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param runId identifies the run across resumes; the final model's version derives from it
 * @param step steps done, from 1
 * @param epoch full epochs done
 * @param stepsPerEpoch steps in one epoch
 * @param totalSteps steps of the whole run
 * @param batchSize images per step
 * @param images images trained on
 * @param seed the run's seed
 * @param data the data set's description
 * @param optimizer lars or adam, and the schedule where it is not the cosine decay ({@code adam, constant rate})
 * @param peakLearningRate the schedule's rate after warm-up
 * @param temperature NT-Xent's tau
 * @param policy the augmentation policy's name
 * @param loss mean loss over the last epoch's worth of steps
 * @param created when the checkpoint was written
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Checkpoint(
        int formatVersion,
        String runId,
        int step,
        int epoch,
        int stepsPerEpoch,
        int totalSteps,
        int batchSize,
        int images,
        long seed,
        String data,
        String optimizer,
        double peakLearningRate,
        float temperature,
        String policy,
        double loss,
        Instant created) {

    public static final int FORMAT_VERSION = 1;
    public static final String FILE = "checkpoint.json";

    private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");
    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .addModule(new JavaTimeModule())
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .build();

    /** @return the directory of the checkpoint of {@code step} under {@code checkpoints} */
    public static Path directoryFor(Path checkpoints, int step) {
        return checkpoints.resolve(String.format("step-%08d", step));
    }

    /**
     * Writes {@code checkpoint.json} into {@code dir} through a temporary file and a rename, so that
     * a directory with the file is a complete checkpoint: the artifact is saved before it.
     */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeJson(JSON, dir.resolve(FILE), this);
    }

    /** Reads {@code dir/checkpoint.json}, failing with the file's name on anything malformed. */
    public static Checkpoint read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        Checkpoint c;
        try {
            c = JSON.readValue(file.toFile(), Checkpoint.class);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not a valid checkpoint: " + e.getOriginalMessage(), e);
        }
        if (c.formatVersion() != FORMAT_VERSION) {
            throw new IOException(
                    file + " has format_version " + c.formatVersion() + "; this build reads " + FORMAT_VERSION);
        }
        if (c.step() < 1 || c.stepsPerEpoch() < 1 || c.step() > c.totalSteps() || c.runId() == null) {
            throw new IOException(file + " is inconsistent: step " + c.step() + " of " + c.totalSteps()
                    + ", " + c.stepsPerEpoch() + " per epoch, run " + c.runId());
        }
        return c;
    }

    /** @return complete checkpoint directories under {@code checkpoints}, oldest step first */
    public static List<Path> list(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(checkpoints)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(FILE)))
                    .forEach(found::add);
        }
        found.sort(Comparator.comparingLong(Checkpoint::stepOf));
        return found;
    }

    /** @return the complete checkpoint with the highest step, if any */
    public static Optional<Path> latest(Path checkpoints) throws IOException {
        List<Path> all = list(checkpoints);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    private static long stepOf(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }
}
