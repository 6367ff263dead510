package io.planstream.index.rest;

import io.planstream.avro.ImageRecord;
import io.planstream.avro.ModelVersion;

/**
 * Embeds the picture of {@code POST /search} with one model version, exactly as the embedder embeds
 * uploads. The application provides it (the encoders live in the embedder module), so the index's
 * routes need no model code.
 */
public interface QueryEmbedder {

    /**
     * @param model the version's record from the models topic, or null for version 0 (the bootstrap encoder)
     * @throws io.planstream.platform.http.BadRequestException where the picture cannot be prepared for the encoder
     * @throws io.planstream.index.service.NoActiveVersionException where the version's encoder cannot be loaded here
     */
    float[] embed(ImageRecord image, int version, ModelVersion model);
}
