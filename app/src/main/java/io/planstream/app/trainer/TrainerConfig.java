package io.planstream.app.trainer;

import java.time.Duration;
import java.util.Optional;

import io.planstream.trainer.TrainerSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the trainer role ({@code planstream.trainer.*}). */
@ConfigMapping(prefix = "planstream.trainer")
public interface TrainerConfig {

    /**
     * Start the trainer with the application. False leaves the start to the application's own code: the demo starts
     * it once its plans are searchable, so that they count as the trainer's backlog and no round competes with their
     * embedding.
     */
    @WithDefault("true")
    boolean startWithApplication();

    /** Most images the training buffer holds. */
    @WithDefault("" + TrainerSettings.DEFAULT_BUFFER_IMAGES)
    int bufferImages();

    /** Most pixel bytes the training buffer holds (the tighter bound wins). */
    @WithDefault("" + TrainerSettings.DEFAULT_BUFFER_BYTES)
    long bufferBytes();

    /** What the buffer keeps when full: reservoir (a uniform sample of the stream) or recent (the newest). */
    @WithDefault(TrainerSettings.DEFAULT_SAMPLING)
    String sampling();

    /** A round starts once this many new images arrived (0: never by count). */
    @WithDefault("" + TrainerSettings.DEFAULT_MIN_NEW_IMAGES)
    long minNewImages();

    /** A round starts this long after the last one where new images arrived (0s: no schedule). */
    @WithDefault(TrainerSettings.DEFAULT_INTERVAL_SECONDS + "s")
    Duration interval();

    /** Passes over the buffer's training part per round. */
    @WithDefault("" + TrainerSettings.DEFAULT_EPOCHS)
    int epochs();

    /** Images per step (2 views each). */
    @WithDefault("" + TrainerSettings.DEFAULT_BATCH_SIZE)
    int batchSize();

    /** Augmentation policy: floorplan (rotations and flips, no colour jitter), cifar or imagenet. */
    @WithDefault(TrainerSettings.DEFAULT_POLICY)
    String policy();

    /** NT-Xent temperature tau. */
    @WithDefault("" + TrainerSettings.DEFAULT_TEMPERATURE)
    float temperature();

    /** A round's training stops after this long; what it learnt so far is judged. */
    @WithDefault(TrainerSettings.DEFAULT_MAX_ROUND_MINUTES + "m")
    Duration maxRoundDuration();

    /** Share of image ids held out of training, on which candidates are judged. */
    @WithDefault("" + TrainerSettings.DEFAULT_HELD_OUT_FRACTION)
    double heldOutFraction();

    /** Gate margin: the held-out loss may rise by this fraction, kNN top-1 fall by this much (negative: demand a gain). */
    @WithDefault("" + TrainerSettings.DEFAULT_MARGIN)
    double margin();

    /** Metadata field used as the class for kNN accuracy; RPLAN uploads carry rooms.total. Empty: none. */
    @WithDefault(TrainerSettings.DEFAULT_LABEL_KEY)
    Optional<String> labelKey();

    /** Encoder of a first model where none is published yet. */
    @WithDefault(TrainerSettings.DEFAULT_FIRST_ENCODER)
    String firstEncoder();

    /** Input side of the first encoder, in pixels. */
    @WithDefault("" + TrainerSettings.DEFAULT_FIRST_ENCODER_SIZE)
    int firstEncoderSize();

    /** Transactional id shared by every trainer of a deployment: a new trainer fences the old one. */
    @WithDefault(TrainerSettings.DEFAULT_TRANSACTIONAL_ID)
    String transactionalId();

    /** auto, cpu or gpu. */
    @WithDefault(TrainerSettings.DEFAULT_DEVICE)
    String device();

    /** Seeds the buffer and the views. */
    @WithDefault("" + TrainerSettings.DEFAULT_SEED)
    long seed();
}
