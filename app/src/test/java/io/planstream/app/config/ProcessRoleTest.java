package io.planstream.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ProcessRoleTest {

    @Test
    void shouldRunEveryRoleByDefault() {
        PlanstreamConfig config = ConfigMappings.read(PlanstreamConfig.class, Map.of());
        assertThat(config.roles()).containsExactly(ProcessRole.values());
    }

    @Test
    void shouldReadRolesInAnyCaseAndWithSpaces() {
        PlanstreamConfig config = ConfigMappings.read(PlanstreamConfig.class, Map.of("planstream.roles", "Embedder, index"));
        assertThat(config.roles()).containsExactly(ProcessRole.EMBEDDER, ProcessRole.INDEX);
        assertThat(config.runs(ProcessRole.INDEX)).isTrue();
        assertThat(config.runs(ProcessRole.INGEST)).isFalse();
    }

    @Test
    void shouldRefuseAnUnknownRoleAtStartNamingTheValidOnes() {
        assertThatThrownBy(() -> ConfigMappings.read(PlanstreamConfig.class, Map.of("planstream.roles", "ingest,indexer")))
                .hasMessageContaining("unknown role 'indexer'")
                .hasMessageContaining("the roles are ingest, embedder, index, trainer");
    }

    @Test
    void shouldRefuseAnEmptyListOnTheCommandLine() {
        assertThat(ProcessRole.parseList("trainer, ,ingest")).containsExactly(ProcessRole.TRAINER, ProcessRole.INGEST);
        assertThatThrownBy(() -> ProcessRole.parseList(" , ")).hasMessage("no role given; the roles are ingest, embedder, index, trainer");
    }
}
