package io.planstream.index.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The cluster's rules for a switch, on reports handed in directly. */
class ServingViewTest {

    private static final long TIMEOUT = 10_000;
    private static final long NOW = 100_000;

    private final ServingView view = new ServingView();

    @Test
    void shouldSwitchOnlyWhenEveryLiveReplicaHoldsTheTargetReady() {
        report("a", 1, Set.of(1, 2), NOW);
        report("b", 1, Set.of(1), NOW);
        report("c", 1, Set.of(1, 2), NOW);
        view.switched(new ServingView.Switch(1, 4, false, "a", 0, "earlier"));

        assertThat(view.decide("a", NOW, TIMEOUT, OptionalInt.of(2), false)).as("b is still building version 2").isEmpty();

        report("b", 1, Set.of(1, 2), NOW);
        ServingView.Switch s = view.decide("a", NOW, TIMEOUT, OptionalInt.of(2), false).orElseThrow();
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.epoch()).as("one more than the switch it replaces").isEqualTo(5);
        assertThat(s.writer()).isEqualTo("a");
        assertThat(s.reason()).contains("[a, b, c]");

        view.switched(s);
        assertThat(view.decide("a", NOW, TIMEOUT, OptionalInt.of(2), false)).as("already there").isEmpty();
    }

    @Test
    void shouldLeaveTheSwitchToTheLiveReplicaWithTheSmallestId() {
        report("a", null, Set.of(0), NOW);
        report("b", null, Set.of(0), NOW);

        assertThat(view.coordinator("b", NOW, TIMEOUT)).isEqualTo("a");
        assertThat(view.decide("b", NOW, TIMEOUT, OptionalInt.empty(), false)).isEmpty();
        assertThat(view.decide("a", NOW, TIMEOUT, OptionalInt.empty(), false)).map(ServingView.Switch::version).contains(0);

        // a dies: once its report is older than the timeout, b coordinates and nobody waits for a.
        long later = NOW + TIMEOUT + 1;
        report("b", null, Set.of(0), later);
        assertThat(view.live(later, TIMEOUT)).extracting(ServingView.Report::replica).containsExactly("b");
        assertThat(view.coordinator("b", later, TIMEOUT)).isEqualTo("b");
        assertThat(view.decide("b", later, TIMEOUT, OptionalInt.empty(), false)).map(ServingView.Switch::version).contains(0);
    }

    @Test
    void shouldNotBeHeldBackByADeadReplicaThatNeverGotReady() {
        report("a", 1, Set.of(1, 2), NOW);
        report("b", 1, Set.of(1, 2), NOW);
        report("c", 1, Set.of(1), NOW - TIMEOUT - 1);
        view.switched(new ServingView.Switch(1, 1, false, "a", 0, "earlier"));

        assertThat(view.decide("a", NOW, TIMEOUT, OptionalInt.of(2), false)).map(ServingView.Switch::version).contains(2);
        assertThat(view.decide("a", NOW - 1, TIMEOUT, OptionalInt.of(2), false)).as("c was live a moment ago").isEmpty();
    }

    @Test
    void shouldWaitForItsOwnReportBeforeSwitching() {
        report("b", null, Set.of(0), NOW);
        assertThat(view.decide("a", NOW, TIMEOUT, OptionalInt.empty(), false)).as("a's own report not read back yet").isEmpty();
    }

    @Test
    void shouldMoveForwardOnlyWithoutATargetAndBackOnlyToATarget() {
        report("a", 2, Set.of(1, 2), NOW);
        report("b", 2, Set.of(1, 2), NOW);
        view.switched(new ServingView.Switch(2, 3, false, "a", 0, "earlier"));

        assertThat(view.decide("a", NOW, TIMEOUT, OptionalInt.empty(), false)).as("the newest common version is the current one").isEmpty();

        ServingView.Switch pin = view.decide("a", NOW, TIMEOUT, OptionalInt.of(1), true).orElseThrow();
        assertThat(pin.version()).isEqualTo(1);
        assertThat(pin.pinned()).isTrue();
        assertThat(pin.reason()).startsWith("pinned by an operator");
        view.switched(pin);

        assertThat(view.decide("a", NOW, TIMEOUT, OptionalInt.of(1), false)).as("unpinned at the same version: the record says so")
                .map(ServingView.Switch::pinned).contains(false);
    }

    @Test
    void shouldForgetAReplicaThatWithdrewItsReport() {
        report("a", 1, Set.of(1), NOW);
        report("b", 1, Set.of(1), NOW);
        view.withdraw("a");
        assertThat(view.coordinator("b", NOW, TIMEOUT)).isEqualTo("b");
        assertThat(view.reports()).containsOnlyKeys("b");
    }

    private void report(String replica, Integer served, Set<Integer> ready, long seen) {
        view.report(new ServingView.Report(replica, served, ready, seen, null));
    }
}
