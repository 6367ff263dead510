package io.planstream.ingest;

/** Kafka did not acknowledge a write in time: the upload was not accepted and may be retried. */
public final class KafkaUnavailableException extends RuntimeException {

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
