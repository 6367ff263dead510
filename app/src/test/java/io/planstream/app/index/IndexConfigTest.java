package io.planstream.app.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.planstream.app.config.ConfigMappings;
import io.planstream.app.embedder.EmbedderConfig;
import io.planstream.embedder.streams.EmbedderSettings;
import io.planstream.index.service.IndexSettings;
import io.planstream.ingest.config.IngestConfig;
import io.planstream.ingest.image.ImageLimits;

/** The roles' configuration defaults are the libraries' own, not copies of them. */
class IndexConfigTest {

    @Test
    void shouldDefaultToTheIndexsOwnDefaults() {
        Path dir = Path.of("data", "index");
        IndexConfig config = ConfigMappings.read(IndexConfig.class, Map.of());
        assertThat(IndexRole.settings(config, dir)).isEqualTo(IndexSettings.defaults(dir));
    }

    @Test
    void shouldPassTheSettingsOn() {
        IndexConfig config = ConfigMappings.read(IndexConfig.class, Map.of("planstream.index.refresh-interval", "250ms",
                "planstream.index.m", "32", "planstream.index.retain-versions", "3"));
        IndexSettings s = IndexRole.settings(config, Path.of("x"));
        assertThat(s.refreshInterval()).hasMillis(250);
        assertThat(s.hnsw().m()).isEqualTo(32);
        assertThat(s.retainVersions()).isEqualTo(3);
    }

    @Test
    void shouldDefaultTheEmbedderAndTheUploadLimitsToTheirLibrariesDefaults() {
        EmbedderConfig embedder = ConfigMappings.read(EmbedderConfig.class, Map.of());
        assertThat(new EmbedderSettings(embedder.batchSize(), embedder.maxWait(), embedder.symmetries()))
                .isEqualTo(new EmbedderSettings(EmbedderSettings.DEFAULT_BATCH_SIZE, EmbedderSettings.DEFAULT_MAX_WAIT, true));
        IngestConfig ingest = ConfigMappings.read(IngestConfig.class, Map.of());
        assertThat(new ImageLimits(ingest.maxBytes(), ingest.maxWidth(), ingest.maxHeight(), ingest.maxPixels()))
                .isEqualTo(ImageLimits.defaults());
    }
}
