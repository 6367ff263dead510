package io.planstream.app.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.planstream.app.config.ConfigMappings;
import io.planstream.trainer.TrainerSettings;

class TrainerConfigTest {

    private static final Path DIR = Path.of("data", "trainer");

    @Test
    void shouldDefaultToTheTrainersOwnDefaults() {
        TrainerConfig config = ConfigMappings.read(TrainerConfig.class, Map.of());
        assertThat(TrainerRole.settings(config, DIR, TrainerSettings.DEFAULT_PUBLISHER))
                .isEqualTo(TrainerSettings.builder().setWorkDir(DIR).build());
        assertThat(config.startWithApplication()).isTrue();
    }

    @Test
    void shouldLeaveTheStartToTheApplicationWhenAsked() {
        TrainerConfig config = ConfigMappings.read(TrainerConfig.class, Map.of("planstream.trainer.start-with-application", "false"));
        assertThat(config.startWithApplication()).isFalse();
    }

    @Test
    void shouldPassEverySettingOn() {
        TrainerConfig config = ConfigMappings.read(TrainerConfig.class, Map.of("planstream.trainer.sampling", "recent",
                "planstream.trainer.interval", "2m", "planstream.trainer.margin", "-0.1", "planstream.trainer.label-key", "",
                "planstream.trainer.first-encoder-size", "32", "planstream.trainer.seed", "9"));
        TrainerSettings s = TrainerRole.settings(config, DIR, "trainer@host");
        assertThat(s.sampling().name()).isEqualTo("RECENT");
        assertThat(s.interval()).hasMinutes(2);
        assertThat(s.margin()).isEqualTo(-0.1);
        assertThat(s.labelKey()).isEmpty();
        assertThat(s.firstEncoder().inputSize()).isEqualTo(32);
        assertThat(s.seed()).isEqualTo(9);
        assertThat(s.publisher()).isEqualTo("trainer@host");
    }
}
