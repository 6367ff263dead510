package io.planstream.app.config;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Keeps three warnings that say nothing to act on off the console (the log file still has them): the
 * producer's retry of a write that met the previous transaction's commit still in progress (retried within
 * milliseconds, see EmbedderStream), DJL's failed probe for a CUDA driver on a machine without a GPU, and
 * the broker's note that it formats an empty metadata log at its first start.
 */
@LoggingFilter(name = "planstream-console")
public final class ConsoleLogFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        String logger = record.getLoggerName();
        String message = record.getMessage();
        if (logger == null || message == null) {
            return true;
        }
        return !(logger.equals("org.apache.kafka.clients.producer.internals.Sender") && mentions(record, "CONCURRENT_TRANSACTIONS"))
                && !(logger.equals("ai.djl.util.cuda.CudaUtils") && message.startsWith("Failed to detect GPU count"))
                && !(logger.equals("org.apache.kafka.controller.QuorumController") && message.contains("The metadata log appears to be empty"));
    }

    /** Whether the message or one of its parameters (SLF4J's {} placeholders arrive unformatted) says {@code text}. */
    private static boolean mentions(LogRecord record, String text) {
        if (record.getMessage().contains(text)) {
            return true;
        }
        Object[] parameters = record.getParameters();
        if (parameters != null) {
            for (Object p : parameters) {
                if (p != null && String.valueOf(p).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }
}
