package io.planstream.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

/** The console keeps every warning but the three with nothing to act on. */
class ConsoleLogFilterTest {

    private final ConsoleLogFilter filter = new ConsoleLogFilter();

    private static LogRecord record(String logger, String message, Object... parameters) {
        LogRecord r = new LogRecord(Level.WARNING, message);
        r.setLoggerName(logger);
        r.setParameters(parameters);
        return r;
    }

    @Test
    void shouldDropTheRetriedWriteThatMetAnotherTransactionsCommitButKeepOtherProducerWarnings() {
        String sender = "org.apache.kafka.clients.producer.internals.Sender";
        String pattern = "Got error produce response with correlation id {} on topic-partition {}, retrying ({} attempts left). Error: {}";
        assertThat(filter.isLoggable(record(sender, pattern, 43, "embeddings-2", 2147483646, "CONCURRENT_TRANSACTIONS"))).isFalse();
        assertThat(filter.isLoggable(record(sender, pattern, 43, "embeddings-2", 3, "NOT_LEADER_OR_FOLLOWER"))).isTrue();
        assertThat(filter.isLoggable(record("org.apache.kafka.clients.NetworkClient", "CONCURRENT_TRANSACTIONS"))).isTrue();
    }

    @Test
    void shouldDropTheCudaProbeAndTheFirstStartNoteOfTheBroker() {
        assertThat(filter.isLoggable(record("ai.djl.util.cuda.CudaUtils", "Failed to detect GPU count: {}", "CUDA driver version is insufficient"))).isFalse();
        assertThat(filter.isLoggable(record("org.apache.kafka.controller.QuorumController",
                "[QuorumController id=1] Performing controller activation. The metadata log appears to be empty. Appending {} bootstrap record(s)", 4)))
                .isFalse();
        assertThat(filter.isLoggable(record("org.apache.kafka.controller.QuorumController", "[QuorumController id=1] Something else"))).isTrue();
        assertThat(filter.isLoggable(record(null, null))).isTrue();
    }
}
