package io.planstream.simclr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResidentMemoryTest {

    @Test
    void readsTheResidentMemoryOfAProcess() {
        double rss = ResidentMemory.megabytes(ProcessHandle.current().pid());
        assertThat(rss).isGreaterThan(10).isLessThan(64 * 1024);
        assertThat(ResidentMemory.megabytes()).isGreaterThan(10).isLessThan(64 * 1024);
        assertThat(ResidentMemory.megabytes(Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(ResidentMemory.statusMb(ProcessHandle.current().pid(), "RssAnon:").get("RssAnon:")).isPositive()
                .isLessThanOrEqualTo(rss);
    }
}
