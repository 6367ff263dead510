package io.planstream.app.cli;

import java.time.Duration;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars of long commands: count, rate and ETA on standard error, so that stdout stays data. */
public final class Progress {

    private Progress() {
    }

    public static ProgressBar bar(String task, long total, String unit) {
        return bar(task, total, unit, 0);
    }

    /** A bar that starts at {@code done} of {@code total}, for resumed work: the rate and ETA count only what is new. */
    public static ProgressBar bar(String task, long total, String unit, long done) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .startsFrom(done, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setUpdateIntervalMillis(250)
                .setMaxRenderedLength(100)
                .setEtaFunction(state -> state.getElapsedAfterStart().isZero() || state.getCurrent() <= state.getStart()
                        ? java.util.Optional.empty()
                        : java.util.Optional.of(Duration.ofMillis((long) ((state.getMax() - state.getCurrent())
                                * (double) state.getElapsedAfterStart().toMillis() / (state.getCurrent() - state.getStart())))))
                .continuousUpdate()
                .build();
    }
}
