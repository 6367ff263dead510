package io.planstream.index.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How an index replica takes part in the cluster's choice of serving version ({@link ServingView}).
 *
 * @param replicaId this replica's name in the cluster: stable over restarts (a StatefulSet pod's name), unique
 *                  among replicas
 * @param endpoint where this replica answers HTTP, shown on the status; null where unknown
 * @param heartbeat how often the replica reports, whether or not anything changed
 * @param replicaTimeout how long a replica counts as live after its last report; a dead replica delays a
 *                       switch by at most this long
 * @param switchTransactionalId the transactional id every replica's switch producer shares, so that a newer
 *                              coordinator fences an older one
 */
public record ServingSettings(String replicaId, String endpoint, Duration heartbeat, Duration replicaTimeout,
                              String switchTransactionalId) {

    public static final long DEFAULT_HEARTBEAT_MILLIS = 2_000;
    public static final long DEFAULT_REPLICA_TIMEOUT_MILLIS = 10_000;
    public static final String DEFAULT_SWITCH_TRANSACTIONAL_ID = "planstream-index-serving";

    public ServingSettings {
        if (replicaId == null || replicaId.isBlank()) {
            throw new IllegalArgumentException("the replica id must not be blank");
        }
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(replicaTimeout, "replicaTimeout");
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("heartbeat must be positive, got " + heartbeat);
        }
        if (replicaTimeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("replicaTimeout (" + replicaTimeout + ") must be at least two heartbeats ("
                    + heartbeat.multipliedBy(2) + "), or a live replica would count as dead between two reports");
        }
        if (switchTransactionalId == null || switchTransactionalId.isBlank()) {
            throw new IllegalArgumentException("the switch transactional id must not be blank");
        }
    }

    /** The defaults, named after this host and the index folder: stable over restarts, distinct per folder. */
    public static ServingSettings defaults(Path dataDir) {
        return new ServingSettings(defaultReplicaId(dataDir), null, Duration.ofMillis(DEFAULT_HEARTBEAT_MILLIS),
                Duration.ofMillis(DEFAULT_REPLICA_TIMEOUT_MILLIS), DEFAULT_SWITCH_TRANSACTIONAL_ID);
    }

    /** {@code host:/absolute/index/folder}. */
    public static String defaultReplicaId(Path dataDir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + dataDir.toAbsolutePath().normalize();
    }
}
