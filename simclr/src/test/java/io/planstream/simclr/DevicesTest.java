package io.planstream.simclr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DevicesTest {

    private static final boolean GPU = SimClrEngine.get().getGpuCount() > 0;

    @Test
    void autoPicksTheGpuWhenTheEngineSeesOneAndTheCpuOtherwise() {
        assertThat(Devices.choose("auto")).isEqualTo(GPU ? Device.gpu() : Device.cpu());
        assertThat(Devices.choose(null)).isEqualTo(Devices.choose("auto"));
    }

    @Test
    void cpuCanAlwaysBeForced() {
        assertThat(Devices.choose(" CPU ")).isEqualTo(Device.cpu());
    }

    @Test
    void gpuFailsClearlyWhereThereIsNone() {
        if (GPU) {
            assertThat(Devices.choose("gpu")).isEqualTo(Device.gpu());
        } else {
            assertThatThrownBy(() -> Devices.choose("gpu"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sees no GPU");
        }
    }

    @Test
    void rejectsOtherNames() {
        assertThatThrownBy(() -> Devices.choose("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tpu");
    }

    @Test
    void engineStaysOffline() {
        assertThat(System.getProperty(SimClrEngine.OFFLINE)).isEqualTo("true");
        assertThat(SimClrEngine.get().getEngineName()).isEqualTo("PyTorch");
    }
}
