package io.planstream.ingest.config;

import java.time.Duration;

import io.planstream.ingest.image.ImageLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the upload path. */
@ConfigMapping(prefix = "planstream.ingest")
public interface IngestConfig {

    /** Largest accepted upload body, in bytes (10 MB). */
    @WithDefault("" + ImageLimits.DEFAULT_MAX_BYTES)
    long maxBytes();

    /** Largest accepted width, in pixels, read from the header before decoding. */
    @WithDefault("" + ImageLimits.DEFAULT_MAX_WIDTH)
    int maxWidth();

    /** Largest accepted height, in pixels, read from the header before decoding. */
    @WithDefault("" + ImageLimits.DEFAULT_MAX_HEIGHT)
    int maxHeight();

    /** Largest accepted width x height, refused before decoding (pixel floods). */
    @WithDefault("" + ImageLimits.DEFAULT_MAX_PIXELS)
    long maxPixels();

    /** How long an upload waits for Kafka's acknowledgement before it is answered 503. */
    @WithDefault("10s")
    Duration ackTimeout();

    /** Seconds a client is told to wait (Retry-After) when Kafka is unavailable. */
    @WithDefault("5")
    int retryAfterSeconds();

    /** Most client metadata fields on one upload. */
    @WithDefault("64")
    int maxMetadataFields();
}
