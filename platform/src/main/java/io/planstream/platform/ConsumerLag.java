package io.planstream.platform;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group (a Kafka Streams application is one) is behind the end of a topic, asked of
 * the cluster, so that any process can see the progress of any other.
 */
public final class ConsumerLag {

    private static final long TIMEOUT_S = 5;

    private final Admin admin;

    public ConsumerLag(Admin admin) {
        this.admin = admin;
    }

    /**
     * Records of {@code topic} that {@code group} has not committed yet, summed over the partitions; a
     * partition without a committed offset counts from its earliest record. Empty when the cluster did
     * not answer.
     */
    public OptionalLong groupLag(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<TopicPartition> parts = partitions(topic);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = offsets(parts, OffsetSpec.latest());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = offsets(parts, OffsetSpec.earliest());
            long lag = 0;
            for (TopicPartition tp : parts) {
                OffsetAndMetadata c = committed.get(tp);
                long position = c != null ? c.offset() : starts.get(tp).offset();
                lag += Math.max(0, ends.get(tp).offset() - position);
            }
            return OptionalLong.of(lag);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The end offset (the offset the next record will get) of every partition of {@code topic}. */
    public Map<Integer, Long> endOffsets(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        Map<Integer, Long> out = new HashMap<>();
        offsets(partitions(topic), OffsetSpec.latest()).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
        return out;
    }

    private List<TopicPartition> partitions(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS)
                .get(topic).partitions().stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    private Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets(List<TopicPartition> parts, OffsetSpec spec)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        parts.forEach(tp -> request.put(tp, spec));
        return admin.listOffsets(request).all().get(TIMEOUT_S, TimeUnit.SECONDS);
    }
}
