package io.planstream.app.embedder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.planstream.app.config.PlanstreamConfig;
import io.planstream.embedder.query.QueryEncoder;
import io.planstream.index.rest.QueryEmbedder;
import io.planstream.index.service.NoActiveVersionException;
import io.planstream.models.ArtifactResolver;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.http.BadRequestException;
import io.planstream.simclr.Devices;
import io.planstream.simclr.artifact.ArtifactException;
import io.planstream.simclr.data.PreprocessException;
import io.planstream.simclr.model.EncoderSpec;

/** The query encoder of {@code POST /search}, configured as the embedder role embeds uploads, and its adapter for the index's routes. */
@ApplicationScoped
public class QueryEncoders {

    @Produces
    @Singleton
    QueryEncoder queryEncoder(EmbedderConfig embedder, PlanstreamConfig planstream, KafkaPlatform platform) {
        return new QueryEncoder(EncoderSpec.of(embedder.bootstrapEncoder(), 3, embedder.bootstrapSize()), embedder.bootstrapSeed(),
                embedder.symmetries(), Devices.choose(embedder.device()),
                new ArtifactResolver(platform, planstream.dataPath("artifacts")));
    }

    void close(@Disposes QueryEncoder encoder) {
        encoder.close();
    }

    /** The query routes' view of the encoder: a picture it cannot prepare is a 400, a model it cannot load a 503. */
    @Produces
    @Singleton
    QueryEmbedder queryEmbedder(QueryEncoder encoder) {
        return (image, version, model) -> {
            try {
                return encoder.embed(image, version, model);
            } catch (PreprocessException e) {
                throw new BadRequestException("unprocessable_image", "the picture cannot be prepared for the encoder: " + e.getMessage());
            } catch (ArtifactException e) {
                throw new NoActiveVersionException("the encoder of model version " + version + " cannot be loaded here: " + e.getMessage());
            }
        };
    }
}
