package io.planstream.index.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One replica's view of the cluster's serving version, as it reads the serving topic: every replica's last
 * report and the last switch. The rules that turn the view into a switch live here, free of Kafka and of
 * any clock, so they are tested alone; {@link ServingChannel} reads and writes the records.
 *
 * <p>The rules:
 * <ul>
 *   <li>a replica is live while its last report is at most {@code timeout} old; a replica that stopped
 *       cleanly withdrew its report, one that died stops counting once its report ages out, so a replica
 *       that dies during a switch delays it by at most the timeout and never blocks it;</li>
 *   <li>the live replica with the smallest id coordinates: it alone writes switches (and its producer,
 *       transactional with an id all replicas share, fences any other that thinks the same);</li>
 *   <li>the coordinator switches to the target version (the newest published, or the one an operator pinned)
 *       once every live replica reports it ready; without a target (only the bootstrap encoder so far), to
 *       the newest version every live replica holds ready, and only forwards. A switch to an older version
 *       happens only where the target itself went back: an operator pinned it, or rejected or retired the
 *       newer one.</li>
 * </ul>
 */
final class ServingView {

    /** A replica's last report, with when this replica read it (or the record's own time, read at start). */
    record Report(String replica, Integer served, Set<Integer> ready, long seenMillis, String endpoint) {
        Report {
            ready = Set.copyOf(ready);
        }
    }

    /** The cluster's serving version, as the last switch record named it. */
    record Switch(int version, long epoch, boolean pinned, String writer, long timeMillis, String reason) {
    }

    private final Map<String, Report> reports = new ConcurrentSkipListMap<>();
    private volatile Switch current;

    void report(Report r) {
        reports.put(r.replica(), r);
    }

    /** A replica withdrew its report (it stopped cleanly). */
    void withdraw(String replica) {
        reports.remove(replica);
    }

    void switched(Switch s) {
        current = s;
    }

    /** The last switch read; empty before the first. */
    Optional<Switch> current() {
        return Optional.ofNullable(current);
    }

    /** Every report read, live or not, by replica id. */
    Map<String, Report> reports() {
        return Map.copyOf(reports);
    }

    static boolean live(Report r, long nowMillis, long timeoutMillis) {
        return nowMillis - r.seenMillis() <= timeoutMillis;
    }

    /** The live replicas' reports, by id. */
    List<Report> live(long nowMillis, long timeoutMillis) {
        List<Report> out = new ArrayList<>();
        for (Report r : reports.values()) {
            if (live(r, nowMillis, timeoutMillis)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The live replica with the smallest id; {@code self} counts as live whether its report was read back or not. */
    String coordinator(String self, long nowMillis, long timeoutMillis) {
        String min = self;
        for (Report r : live(nowMillis, timeoutMillis)) {
            if (r.replica().compareTo(min) < 0) {
                min = r.replica();
            }
        }
        return min;
    }

    /**
     * The switch {@code self} should write now, if it coordinates and the live replicas agree; empty otherwise.
     *
     * @param target the version the models topic names (newest published or pinned); empty for none
     * @param targetPinned whether an operator pinned the target
     */
    Optional<Switch> decide(String self, long nowMillis, long timeoutMillis, OptionalInt target, boolean targetPinned) {
        if (!coordinator(self, nowMillis, timeoutMillis).equals(self)) {
            return Optional.empty();
        }
        List<Report> live = live(nowMillis, timeoutMillis);
        // Its own report read back is what says the coordinator's ready versions: no switch before it.
        if (live.stream().noneMatch(r -> r.replica().equals(self))) {
            return Optional.empty();
        }
        Switch last = current;
        int version;
        if (target.isPresent()) {
            version = target.getAsInt();
            if (last != null && last.version() == version && last.pinned() == targetPinned) {
                return Optional.empty();
            }
            if (!live.stream().allMatch(r -> r.ready().contains(version))) {
                return Optional.empty();
            }
        } else {
            TreeSet<Integer> common = new TreeSet<>(live.get(0).ready());
            live.forEach(r -> common.retainAll(r.ready()));
            if (common.isEmpty() || (last != null && common.last() <= last.version())) {
                return Optional.empty();
            }
            version = common.last();
        }
        String why = (targetPinned ? "pinned by an operator; " : "")
                + "ready on every live replica: " + live.stream().map(Report::replica).toList();
        return Optional.of(new Switch(version, last == null ? 1 : last.epoch() + 1, targetPinned, self, nowMillis, why));
    }
}
