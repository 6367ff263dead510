package io.planstream.platform;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The partitions a long-running reader assigns itself, waited for as long as the reader runs. */
public final class Partitions {

    private static final Logger LOG = LoggerFactory.getLogger(Partitions.class);
    private static final Duration TRY = Duration.ofSeconds(10);

    private Partitions() {
    }

    /**
     * The partitions of {@code topic}, asked for {@link #TRY} at a time until the topic exists and the
     * broker answers. A broker that is down or restarting makes {@code partitionsFor} throw a
     * {@link TimeoutException}: that is a reason to ask again, not to stop the reader for good.
     *
     * @throws WakeupException once {@code running} turns false
     */
    public static List<TopicPartition> await(Consumer<?, ?> consumer, String topic, BooleanSupplier running) {
        while (running.getAsBoolean()) {
            try {
                var infos = consumer.partitionsFor(topic, TRY);
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                }
                LOG.info("waiting for topic {}", topic);
            } catch (TimeoutException e) {
                LOG.warn("waiting for topic {}: {}", topic, e.getMessage());
            }
        }
        throw new WakeupException();
    }
}
