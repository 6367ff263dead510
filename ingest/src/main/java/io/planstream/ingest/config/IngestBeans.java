package io.planstream.ingest.config;

import java.time.Clock;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.planstream.ingest.ImagePublisher;
import io.planstream.ingest.UploadService;
import io.planstream.ingest.catalog.ImageCatalog;
import io.planstream.ingest.image.ImageLimits;
import io.planstream.ingest.image.UploadValidator;
import io.planstream.platform.KafkaPlatform;
import io.quarkus.runtime.Startup;

/** Wires the upload path from configuration; the classes themselves know nothing of CDI. */
@Singleton
public class IngestBeans {

    @Produces
    @Singleton
    UploadValidator validator(IngestConfig config) {
        return new UploadValidator(new ImageLimits(config.maxBytes(), config.maxWidth(), config.maxHeight(), config.maxPixels()));
    }

    @Produces
    @Singleton
    ImagePublisher publisher(KafkaPlatform platform, IngestConfig config) {
        return new ImagePublisher(platform.clientProperties(), platform.topics().images(), config.ackTimeout(),
                platform.topics().imageMaxMessageBytes());
    }

    /** Started with the application so that {@code GET /images/{id}} knows the images already in Kafka. */
    @Produces
    @Singleton
    @Startup
    ImageCatalog catalog(KafkaPlatform platform) {
        return new ImageCatalog(platform.clientProperties(), platform.topics().images());
    }

    @Produces
    @Singleton
    UploadService uploads(UploadValidator validator, ImagePublisher publisher, ImageCatalog catalog, IngestConfig config) {
        return new UploadService(validator, publisher, catalog, config.maxMetadataFields(), Clock.systemUTC());
    }

    void closePublisher(@Disposes ImagePublisher publisher) {
        publisher.close();
    }

    void closeCatalog(@Disposes ImageCatalog catalog) throws InterruptedException {
        catalog.close();
    }
}
