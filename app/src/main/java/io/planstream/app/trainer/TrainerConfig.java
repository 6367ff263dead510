package io.planstream.app.trainer;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the trainer role ({@code planstream.trainer.*}). */
@ConfigMapping(prefix = "planstream.trainer")
public interface TrainerConfig {

    /** Most images the training buffer holds. */
    @WithDefault("10000")
    int bufferImages();

    /** Most pixel bytes the training buffer holds (the tighter bound wins). */
    @WithDefault("536870912")
    long bufferBytes();

    /** What the buffer keeps when full: reservoir (a uniform sample of the stream) or recent (the newest). */
    @WithDefault("reservoir")
    String sampling();

    /** A round starts once this many new images arrived (0: never by count). */
    @WithDefault("1000")
    long minNewImages();

    /** A round starts this long after the last one where new images arrived (0s: no schedule). */
    @WithDefault("0s")
    Duration interval();

    /** Passes over the buffer's training part per round. */
    @WithDefault("5")
    int epochs();

    /** Images per step (2 views each). */
    @WithDefault("64")
    int batchSize();

    /** Augmentation policy: floorplan (rotations and flips, no colour jitter), cifar or imagenet. */
    @WithDefault("floorplan")
    String policy();

    /** NT-Xent temperature tau. */
    @WithDefault("0.5")
    float temperature();

    /** A round's training stops after this long; what it learnt so far is judged. */
    @WithDefault("30m")
    Duration maxRoundDuration();

    /** Share of image ids held out of training, on which candidates are judged. */
    @WithDefault("0.2")
    double heldOutFraction();

    /** Gate margin: the held-out loss may rise by this fraction, kNN top-1 fall by this much (negative: demand a gain). */
    @WithDefault("0.0")
    double margin();

    /** Metadata field used as the class for kNN accuracy; RPLAN uploads carry rooms.total. Empty: none. */
    @WithDefault("rooms.total")
    Optional<String> labelKey();

    /** Encoder of a first model where none is published yet. */
    @WithDefault("resnet-mini")
    String firstEncoder();

    /** Input side of the first encoder, in pixels. */
    @WithDefault("64")
    int firstEncoderSize();

    /** Transactional id shared by every trainer of a deployment: a new trainer fences the old one. */
    @WithDefault("planstream-trainer")
    String transactionalId();

    /** auto, cpu or gpu. */
    @WithDefault("auto")
    String device();

    /** Seeds the buffer and the views. */
    @WithDefault("1")
    long seed();
}
