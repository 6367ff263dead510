package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

class BenchSoakCommandTest {

    @Test
    void slopeIsMegabytesPerHour() {
        List<BenchSoakCommand.Sample> flat = List.of(sample(0, 900), sample(10, 905), sample(20, 895), sample(30, 900));
        assertThat(BenchSoakCommand.slopePerHour(flat)).isCloseTo(-6, within(1e-9));
        List<BenchSoakCommand.Sample> leak = List.of(sample(0, 1000), sample(30, 1050), sample(60, 1100));
        assertThat(BenchSoakCommand.slopePerHour(leak)).isCloseTo(100, within(1e-9));
        assertThat(BenchSoakCommand.slopePerHour(List.of(sample(1, 1)))).isZero();
    }

    @Test
    void rolloutsCountChangesOfTheActiveVersionSkippingUnansweredSamples() {
        List<BenchSoakCommand.Sample> s = List.of(version(-1), version(0), version(0), version(-1), version(1), version(1), version(3),
                version(-1), version(3), version(2));
        assertThat(BenchSoakCommand.rollouts(s)).isEqualTo(3);
        assertThat(BenchSoakCommand.rollouts(List.of(version(0), version(-1), version(0)))).isZero();
    }

    @Test
    void refusesImpossibleSettings() {
        CliRun r = CliRun.run("bench", "soak", "--minutes", "0", "--out", "target/soak-refused");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--minutes");
        CliRun late = CliRun.run("bench", "soak", "--minutes", "10", "--burst-at", "10", "--out", "target/soak-refused");
        assertThat(late.code()).isEqualTo(2);
        assertThat(late.err()).contains("0 <= --burst-at < --minutes");
        CliRun gate = CliRun.run("bench", "soak", "--gate-margin", "1.5", "--out", "target/soak-refused");
        assertThat(gate.code()).isEqualTo(2);
        assertThat(gate.err()).contains("-1 <= --gate-margin <= 1");
    }

    private static BenchSoakCommand.Sample version(int active) {
        return new BenchSoakCommand.Sample(0, 1, 1, 0, 0, 0, 0, 0, active);
    }

    private static BenchSoakCommand.Sample sample(double minute, double rss) {
        return new BenchSoakCommand.Sample(minute, rss, rss, 0, 0, 0, 0, 0, 0);
    }
}
