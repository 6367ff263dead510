package io.planstream.index.service;

import java.util.List;

/**
 * One replica's view of the cluster's serving version, for {@code /status}.
 *
 * @param replica this replica's id
 * @param coordinator the replica that writes switches (the live one with the smallest id)
 * @param servingVersion the version the cluster answers with; null before the first switch
 * @param epoch the switch's epoch: how many switches the cluster made
 * @param pinned whether an operator pinned the serving version
 * @param switchedBy the replica that wrote the switch
 * @param switchedAt when (ISO-8601, the writer's clock)
 * @param reason why, in words
 * @param ready whether this replica answers with the serving version (its readiness probe)
 * @param replicas every replica's last report, live or not
 */
public record ClusterStatus(String replica, String coordinator, Integer servingVersion, long epoch, boolean pinned, String switchedBy,
                            String switchedAt, String reason, boolean ready, List<Replica> replicas) {

    public ClusterStatus {
        replicas = List.copyOf(replicas);
    }

    /** A replica's last report: the version it answers with, those it holds ready, whether it counts as live. */
    public record Replica(String id, Integer served, List<Integer> ready, boolean live, long reportAgeMillis, String endpoint) {
        public Replica {
            ready = List.copyOf(ready);
        }
    }
}
