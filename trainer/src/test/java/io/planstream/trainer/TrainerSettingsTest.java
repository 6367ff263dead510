package io.planstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.planstream.simclr.model.EncoderSpec;

class TrainerSettingsTest {

    private static final Path DIR = Path.of("trainer-work");

    @Test
    void shouldTakeEveryDefaultFromItsConstant() {
        TrainerSettings s = TrainerSettings.builder().setWorkDir(DIR).build();
        assertThat(s.workDir()).isEqualTo(DIR);
        assertThat(s.bufferImages()).isEqualTo(TrainerSettings.DEFAULT_BUFFER_IMAGES);
        assertThat(s.bufferBytes()).isEqualTo(512L << 20);
        assertThat(s.sampling()).isEqualTo(TrainingBuffer.Sampling.RESERVOIR);
        assertThat(s.minNewImages()).isEqualTo(TrainerSettings.DEFAULT_MIN_NEW_IMAGES);
        assertThat(s.interval()).isZero();
        assertThat(s.epochs()).isEqualTo(TrainerSettings.DEFAULT_EPOCHS);
        assertThat(s.batchSize()).isEqualTo(TrainerSettings.DEFAULT_BATCH_SIZE);
        assertThat(s.policy()).isEqualTo("floorplan");
        assertThat(s.temperature()).isEqualTo(0.5f);
        assertThat(s.maxRoundDuration()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.heldOutFraction()).isEqualTo(0.2);
        assertThat(s.margin()).isZero();
        assertThat(s.labelKey()).isEqualTo("rooms.total");
        assertThat(s.firstEncoder()).isEqualTo(EncoderSpec.of("resnet-mini", 3, 64));
        assertThat(s.transactionalId()).isEqualTo("planstream-trainer");
        assertThat(s.publisher()).isEqualTo("trainer");
        assertThat(s.device()).isEqualTo("auto");
        assertThat(s.seed()).isEqualTo(1);
    }

    @Test
    void shouldKeepWhatTheCallerSet() {
        TrainerSettings s = TrainerSettings.builder().setWorkDir(DIR).optSampling(TrainingBuffer.Sampling.RECENT)
                .optMinNewImages(4).optInterval(Duration.ofMinutes(2)).optEpochs(2).optBatchSize(16).optMargin(-0.5)
                .optLabelKey(" rooms.bedroom ").optPublisher("trainer@host").optSeed(7).build();
        assertThat(s.sampling()).isEqualTo(TrainingBuffer.Sampling.RECENT);
        assertThat(s.minNewImages()).isEqualTo(4);
        assertThat(s.interval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.epochs()).isEqualTo(2);
        assertThat(s.batchSize()).isEqualTo(16);
        assertThat(s.margin()).isEqualTo(-0.5);
        assertThat(s.labelKey()).isEqualTo("rooms.bedroom");
        assertThat(s.publisher()).isEqualTo("trainer@host");
        assertThat(s.seed()).isEqualTo(7);
    }

    @Test
    void shouldRefuseAMissingWorkFolderAndOutOfRangeSettingsByName() {
        assertThatThrownBy(() -> TrainerSettings.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("work folder");
        assertThatThrownBy(() -> TrainerSettings.builder().setWorkDir(DIR).optBatchSize(1).build())
                .hasMessageContaining("batch size must be >= 2").hasMessageContaining("got 1");
        assertThatThrownBy(() -> TrainerSettings.builder().setWorkDir(DIR).optHeldOutFraction(1.0).build())
                .hasMessageContaining("held-out fraction");
        assertThatThrownBy(() -> TrainerSettings.builder().setWorkDir(DIR).optTransactionalId(" ").build())
                .hasMessageContaining("transactional id");
    }
}
