package io.planstream.app.demo;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.planstream.index.service.IndexService;
import io.planstream.index.service.VersionStatus;
import io.planstream.models.ModelTarget;
import io.planstream.trainer.RoundResult;
import io.planstream.trainer.TrainerService;

/**
 * What the demo says on the console while it serves, one plain line per event: a training round started, its
 * verdict, the backfill of a new version and its activation. The full story is in the log file.
 *
 * <p>It reads the trainer's and the index's status once a second, as the web page does; neither offers a
 * listener, and a line a second late is no loss on a console.
 */
public final class DemoConsole implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DemoConsole.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintStream out;
    private final IndexService index;
    private final Optional<TrainerService> trainer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "planstream-demo-console");
        t.setDaemon(true);
        return t;
    });
    private Seen seen;

    /** What the last look showed. */
    record Seen(int round, String phase, String lastRoundStarted, Integer target, Integer active) {
    }

    public DemoConsole(PrintStream out, IndexService index, Optional<TrainerService> trainer) {
        this.out = out;
        this.index = index;
        this.trainer = trainer;
    }

    /** Starts looking; what is there already is not news. */
    public DemoConsole start() {
        seen = look(trainerStatus());
        timer.scheduleWithFixedDelay(this::report, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    private TrainerService.Status trainerStatus() {
        return trainer.map(TrainerService::status).orElse(null);
    }

    /** What {@code t} (the trainer's status, null without a trainer) and the index show now. */
    private Seen look(TrainerService.Status t) {
        RoundResult last = t == null ? null : t.lastRound();
        OptionalInt target = ModelTarget.select(index.models());
        return new Seen(t == null ? 0 : t.progress().round(), t == null ? "idle" : t.progress().phase(),
                last == null ? null : last.started().toString(), target.isPresent() ? target.getAsInt() : null,
                index.activeVersion().orElse(null));
    }

    private void report() {
        try {
            // One read of the trainer's status: the lines below describe the round that the comparison saw.
            TrainerService.Status t = trainerStatus();
            Seen now = look(t);
            boolean running = !"idle".equals(now.phase());
            if (t != null && running && (now.round() != seen.round() || "idle".equals(seen.phase()))) {
                say("round %d (%s) started: continued pretraining on the %d plans in the buffer", now.round(),
                        t.progress().trigger(), t.bufferImages());
            }
            if (t != null && now.lastRoundStarted() != null && !now.lastRoundStarted().equals(seen.lastRoundStarted())) {
                RoundResult r = t.lastRound();
                say("round %d (%s) %s after %d steps: %s", r.round(), r.trigger(),
                        r.outcome().name().toLowerCase(Locale.ROOT), r.steps(), r.reason());
            }
            if (now.target() != null && !now.target().equals(seen.target()) && !now.target().equals(now.active())) {
                say("version %d: backfill of every plan beside version %s, which answers queries meanwhile",
                        now.target(), now.active());
            }
            if (now.active() != null && !now.active().equals(seen.active())) {
                int documents = index.status().versions().stream().filter(v -> v.version() == now.active())
                        .mapToInt(VersionStatus::documents).findFirst().orElse(0);
                say("version %d active: %d plans searchable in its embedding space", now.active(), documents);
            }
            seen = now;
        } catch (RuntimeException e) {
            // A status read failing now and then (a version retiring under it) is no reason to stop reporting: the
            // next look compares with what was seen before it. The log file has it; the console keeps its few lines.
            LOG.infof(e, "demo console: reading the status failed: %s", e);
        }
    }

    private void say(String format, Object... args) {
        out.println(LocalTime.now().format(TIME) + " " + String.format(Locale.ROOT, format, args));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
