package io.planstream.index.service;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.planstream.avro.ServingKind;
import io.planstream.avro.ServingRecord;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.Topic;

/**
 * This replica's side of the serving topic: it reads every replica's report and the switches into a
 * {@link ServingView}, reports what this replica serves and holds ready (on a change, and every heartbeat),
 * and, while it coordinates, writes the switch the view decides. Used by the index's supervisor thread alone.
 *
 * <p>A switch is written in a transaction of a producer whose transactional id every replica shares, as model
 * versions are published: a coordinator that starts fences any older one (one that was paused and still thinks
 * it coordinates), and readers with {@code read_committed} see only committed switches.
 */
final class ServingChannel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingChannel.class);
    static final String SWITCH_KEY = "switch";
    static final String REPORT_PREFIX = "replica/";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaPlatform platform;
    private final ServingSettings settings;
    private final Topic<String, ServingRecord> topic;
    private final ServingView view = new ServingView();
    private final KafkaProducer<String, ServingRecord> reports;
    private KafkaProducer<String, ServingRecord> switches;
    private Integer reportedServed;
    private Set<Integer> reportedReady;
    private long lastReportMillis;
    /** The epoch of a switch written and not read back yet: no second switch until it is (or a timeout passed). */
    private long pendingEpoch;
    private long pendingSinceMillis;
    /** After this replica's switch producer was fenced, it leaves the switches to the other coordinator a while. */
    private long fencedUntilMillis;

    ServingChannel(KafkaPlatform platform, ServingSettings settings) {
        this.platform = platform;
        this.settings = settings;
        this.topic = platform.topics().serving();
        this.reports = new KafkaProducer<>(new HashMap<>(platform.clientProperties()), topic.keySerde().serializer(),
                topic.valueSerde().serializer());
    }

    ServingView view() {
        return view;
    }

    String replicaId() {
        return settings.replicaId();
    }

    /** The switch this replica read last; null before the cluster's first. */
    ServingView.Switch currentSwitch() {
        return view.current().orElse(null);
    }

    /** A record of the serving topic, as the supervisor polled it. */
    void apply(ConsumerRecord<byte[], byte[]> r, long nowMillis) {
        String key = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
        ServingRecord value = r.value() == null ? null : topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
        if (key == null) {
            return;
        }
        if (key.startsWith(REPORT_PREFIX)) {
            String replica = key.substring(REPORT_PREFIX.length());
            if (value == null) {
                view.withdraw(replica);
                return;
            }
            // A report read as it is written counts from now on this replica's clock; an old one read at start
            // (a replica that died long ago) from its own time, so that it does not count as live for a timeout.
            long written = value.getTime().toEpochMilli();
            long seen = nowMillis - written > settings.replicaTimeout().toMillis() ? written : nowMillis;
            view.report(new ServingView.Report(replica, value.getVersion(), Set.copyOf(value.getReadyVersions()), seen,
                    value.getEndpoint()));
        } else if (SWITCH_KEY.equals(key) && value != null && value.getKind() == ServingKind.SWITCH && value.getVersion() != null) {
            ServingView.Switch s = new ServingView.Switch(value.getVersion(), value.getEpoch(), value.getPinned(), value.getReplica(),
                    value.getTime().toEpochMilli(), value.getReason());
            ServingView.Switch before = currentSwitch();
            view.switched(s);
            if (before == null || before.version() != s.version()) {
                LOG.info("the cluster answers with model version {} from now on (switch {} by {}{})", s.version(), s.epoch(), s.writer(),
                        s.pinned() ? ", pinned" : "");
            }
        }
    }

    /**
     * Reports this replica's state where it changed or a heartbeat is due, and writes a switch where this
     * replica coordinates and the live replicas agree.
     */
    void tick(Integer served, Set<Integer> ready, OptionalInt target, boolean targetPinned, long nowMillis) {
        if (!Objects.equals(served, reportedServed) || !ready.equals(reportedReady)
                || nowMillis - lastReportMillis >= settings.heartbeat().toMillis()) {
            report(served, ready, nowMillis);
        }
        ServingView.Switch current = currentSwitch();
        if (pendingEpoch > 0) {
            boolean readBack = current != null && current.epoch() >= pendingEpoch;
            if (!readBack && nowMillis - pendingSinceMillis < settings.replicaTimeout().toMillis()) {
                return;
            }
            pendingEpoch = 0;
        }
        if (nowMillis < fencedUntilMillis) {
            return;
        }
        Optional<ServingView.Switch> decided = view.decide(settings.replicaId(), nowMillis, settings.replicaTimeout().toMillis(),
                target, targetPinned);
        decided.ifPresent(s -> writeSwitch(s, nowMillis));
    }

    private void report(Integer served, Set<Integer> ready, long nowMillis) {
        ServingRecord r = ServingRecord.newBuilder().setKind(ServingKind.REPORT).setReplica(settings.replicaId())
                .setVersion(served).setReadyVersions(List.copyOf(ready)).setEndpoint(settings.endpoint())
                .setTime(Instant.ofEpochMilli(nowMillis)).build();
        reports.send(new ProducerRecord<>(topic.name(), REPORT_PREFIX + settings.replicaId(), r), (md, e) -> {
            if (e != null) {
                LOG.warn("report of index replica {} not written: {}", settings.replicaId(), e.toString());
            }
        });
        reportedServed = served;
        reportedReady = Set.copyOf(ready);
        lastReportMillis = nowMillis;
    }

    private void writeSwitch(ServingView.Switch s, long nowMillis) {
        ServingRecord r = ServingRecord.newBuilder().setKind(ServingKind.SWITCH).setReplica(s.writer()).setVersion(s.version())
                .setEpoch(s.epoch()).setPinned(s.pinned()).setTime(Instant.ofEpochMilli(s.timeMillis())).setReason(s.reason()).build();
        KafkaProducer<String, ServingRecord> p = null;
        try {
            p = switchProducer();
            p.beginTransaction();
            p.send(new ProducerRecord<>(topic.name(), SWITCH_KEY, r));
            p.commitTransaction();
            pendingEpoch = s.epoch();
            pendingSinceMillis = nowMillis;
            LOG.info("index replica {} switched the cluster to model version {} (switch {}): {}", s.writer(), s.version(), s.epoch(), s.reason());
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            // Another replica coordinates as well (their views of who is live differ for a moment); it carries on.
            LOG.info("index replica {} leaves the switch to another coordinator: {}", settings.replicaId(), e.toString());
            closeSwitches();
            fencedUntilMillis = nowMillis + settings.replicaTimeout().toMillis();
        } catch (KafkaException e) {
            LOG.warn("switch to model version {} not written, trying again: {}", s.version(), e.toString());
            closeSwitches();
        }
    }

    private KafkaProducer<String, ServingRecord> switchProducer() {
        if (switches == null) {
            Map<String, Object> p = new HashMap<>(platform.clientProperties());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.switchTransactionalId());
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) settings.replicaTimeout().toMillis());
            KafkaProducer<String, ServingRecord> created = new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer());
            try {
                created.initTransactions();
            } catch (RuntimeException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            switches = created;
        }
        return switches;
    }

    private void closeSwitches() {
        if (switches != null) {
            switches.close(Duration.ZERO);
            switches = null;
        }
    }

    /** Withdraws this replica's report (it stops cleanly: nobody waits for it), and closes the producers. */
    @Override
    public void close() {
        try {
            reports.send(new ProducerRecord<>(topic.name(), REPORT_PREFIX + settings.replicaId(), null));
            reports.flush();
        } catch (KafkaException e) {
            LOG.warn("report of index replica {} not withdrawn: {}", settings.replicaId(), e.toString());
        }
        reports.close(CLOSE_TIMEOUT);
        if (switches != null) {
            switches.close(CLOSE_TIMEOUT);
        }
    }
}
