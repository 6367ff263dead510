package io.planstream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @TempDir
    Path dir;

    @Test
    void shouldKeepRecordsAcrossARestartOnTheSameDataDirectory() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().setDataDir(dir).start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("t", "k" + i, "v" + i)).get();
                }
            }
        }
        assertThat(dir.resolve("kraft-logs/meta.properties")).exists();

        try (EmbeddedKafka kafka = EmbeddedKafka.builder().setDataDir(dir).start()) {
            List<ConsumerRecord<String, String>> records = readAll(kafka, "t", 10);
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        }
    }

    @Test
    void shouldBindToLoopbackOnlyAndDeleteATemporaryDirectory() throws Exception {
        Path data;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().temporary().start()) {
            data = kafka.dataDir();
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", kafka.port()), 2000);
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("x", 1, (short) 1))).all().get();
                // Creation is acknowledged by the controller; the broker's metadata follows shortly after.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!admin.listTopics().names().get().contains("x") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(admin.listTopics().names().get()).contains("x");
            }
        }
        assertThat(Files.exists(data)).isFalse();
    }

    @Test
    void shouldRefuseAmbiguousDirectorySettings() {
        assertThatThrownBy(() -> EmbeddedKafka.builder().start())
                .hasMessageContaining("data directory");
        assertThatThrownBy(() -> EmbeddedKafka.builder().optPort(70000))
                .hasMessageContaining("port must be 0..65535, got 70000");
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static List<ConsumerRecord<String, String>> readAll(EmbeddedKafka kafka, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}
