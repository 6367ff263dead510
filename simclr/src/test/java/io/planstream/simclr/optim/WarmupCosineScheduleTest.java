package io.planstream.simclr.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WarmupCosineScheduleTest {

    private final WarmupCosineSchedule schedule =
            WarmupCosineSchedule.builder().setBaseValue(1.2).setTotalSteps(110).optWarmupSteps(10).build();

    @Test
    void warmsUpLinearly() {
        assertThat(schedule.valueAt(0)).isCloseTo(0.12, within(1e-12));
        assertThat(schedule.valueAt(4)).isCloseTo(0.6, within(1e-12));
        assertThat(schedule.valueAt(9)).isCloseTo(1.2, within(1e-12));
    }

    @Test
    void decaysAlongACosine() {
        assertThat(schedule.valueAt(10)).isCloseTo(1.2, within(1e-12));
        // a quarter of the way: (1 + cos(pi/4)) / 2 = 0.853553
        assertThat(schedule.valueAt(35)).isCloseTo(1.2 * 0.8535533905932737, within(1e-12));
        assertThat(schedule.valueAt(60)).isCloseTo(0.6, within(1e-12));
        assertThat(schedule.valueAt(109)).isCloseTo(1.2 * (1 + Math.cos(Math.PI * 99 / 100)) / 2, within(1e-12));
        assertThat(schedule.valueAt(110)).isZero();
        assertThat(schedule.valueAt(1000)).isZero();
    }

    @Test
    void asADjlTrackerTheFirstUpdateIsStepZero() {
        assertThat((double) schedule.getNewValue(1)).isCloseTo(0.12, within(1e-6));
        assertThat((double) schedule.getNewValue("any", 61)).isCloseTo(0.6, within(1e-6));
    }

    @Test
    void larsRateScalesWithTheBatch() {
        assertThat(WarmupCosineSchedule.linearScaled(0.3, 256)).isCloseTo(0.3, within(1e-12));
        assertThat(WarmupCosineSchedule.linearScaled(0.3, 4096)).isCloseTo(4.8, within(1e-12));
        assertThat(OptimizerSpec.lars(10, 100).peakLearningRate(512)).isCloseTo(0.6, within(1e-12));
        assertThat(OptimizerSpec.adam(0, 100).peakLearningRate(512)).isCloseTo(1e-3, within(1e-12));
    }

    @Test
    void rejectsImpossibleSchedules() {
        assertThatThrownBy(() -> WarmupCosineSchedule.builder().setTotalSteps(10).build())
                .hasMessageContaining("base value");
        assertThatThrownBy(
                        () -> WarmupCosineSchedule.builder().setBaseValue(1).setTotalSteps(10).optWarmupSteps(11).build())
                .hasMessageContaining("warm-up");
        assertThatThrownBy(() -> new OptimizerSpec(OptimizerSpec.Kind.LARS, 0.3, true, 1e-6, 0, 0))
                .hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> OptimizerSpec.Kind.of("sgd")).hasMessageContaining("sgd");
    }
}
