package io.planstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.planstream.schemas.registry.SchemaRegistryException;

/** A reader that meets a registry outage goes back to the first record it did not apply, in each partition. */
class RegistryOutageTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static SchemaRegistryException outage() {
        return new SchemaRegistryException(SchemaRegistryException.NO_ANSWER, SchemaRegistryException.NO_ANSWER, "", "unreachable", null);
    }

    @Test
    void shouldRewindEachPartitionToItsFirstRecordNotAppliedAndApplyEverythingOnTheNextTry() {
        MockConsumer<String, String> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        consumer.assign(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        for (int i = 0; i < 3; i++) {
            consumer.addRecord(new ConsumerRecord<>("t", 0, i, "k", "a" + i));
            consumer.addRecord(new ConsumerRecord<>("t", 1, i, "k", "b" + i));
        }
        ConsumerRecords<String, String> records = consumer.poll(java.time.Duration.ZERO);
        List<String> applied = new ArrayList<>();
        boolean[] down = {true};
        boolean done = RegistryOutage.applyOrRewind(consumer, records, r -> {
            if (down[0] && r.value().equals("a1")) {
                throw outage();
            }
            applied.add(r.value());
        });
        assertThat(done).isFalse();
        assertThat(applied).contains("a0").doesNotContain("a1", "a2");
        assertThat(consumer.position(P0)).isEqualTo(1);
        // Partition 1: back to its first record not applied (all of it, where it came after the failure).
        long appliedInP1 = applied.stream().filter(v -> v.startsWith("b")).count();
        assertThat(consumer.position(P1)).isEqualTo(appliedInP1);
    }

    @Test
    void shouldThrowWhatIsNotAnOutage() {
        MockConsumer<String, String> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        consumer.assign(List.of(P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.addRecord(new ConsumerRecord<>("t", 0, 0, "k", "x"));
        ConsumerRecords<String, String> records = consumer.poll(java.time.Duration.ZERO);
        SchemaRegistryException notFound = new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "", "no schema", null);
        assertThatThrownBy(() -> RegistryOutage.applyOrRewind(consumer, records, r -> {
            throw notFound;
        })).isSameAs(notFound);
        assertThat(RegistryOutage.isOutage(new RuntimeException(outage()))).isTrue();
        assertThat(RegistryOutage.isOutage(notFound)).isFalse();
    }
}
