package io.planstream.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;

import io.planstream.avro.DeadLetter;

/** Builds the dead-letter record of a record a stage refused, the same way in every role. */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * @param key the original record's raw key, or null
     * @param value the original record's raw value, or null, kept so it can be replayed
     * @param stage the refusing stage: deserialize, decode, preprocess, embed, index
     * @param cause the exception behind the refusal, or null
     * @param modelVersion the model version of the refusing stage, or null
     */
    public static DeadLetter of(String topic, int partition, long offset, byte[] key, byte[] value, String stage,
                                String reason, Throwable cause, Integer modelVersion) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setStage(stage)
                .setReason(reason == null ? "unknown" : reason)
                .setExceptionClass(cause == null ? null : cause.getClass().getName())
                .setModelVersion(modelVersion)
                .setTime(Instant.now())
                .build();
    }
}
