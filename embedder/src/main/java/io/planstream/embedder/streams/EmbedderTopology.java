package io.planstream.embedder.streams;

import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import io.planstream.embedder.model.EncoderPool;
import io.planstream.platform.Topics;
import io.planstream.simclr.data.Preprocessor;

/** The embedder's topology: images in, embeddings and dead letters out. Names are constants tests import. */
public final class EmbedderTopology {

    public static final String SOURCE = "images-source";
    public static final String PROCESSOR = "embed";
    public static final String PENDING_STORE = "embedder-pending";
    public static final String EMBEDDINGS_SINK = "embeddings-sink";
    public static final String DEAD_LETTER_SINK = "dead-letters-sink";

    private EmbedderTopology() {
    }

    public static Topology build(Topics topics, EncoderPool encoders, Preprocessor preprocessor, EmbedderSettings settings,
                                 java.util.concurrent.Executor preprocessing) {
        Topology t = new Topology();
        // Raw bytes in: a record that does not decode becomes a dead letter instead of stopping the stream.
        t.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.images().name());
        t.addProcessor(PROCESSOR, () -> new EmbedProcessor(topics.images(), encoders, preprocessor, settings, preprocessing), SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of()), PROCESSOR);
        t.addSink(EMBEDDINGS_SINK, topics.embeddings().name(), topics.embeddings().keySerde().serializer(),
                topics.embeddings().valueSerde().serializer(), PROCESSOR);
        t.addSink(DEAD_LETTER_SINK, topics.deadLetters().name(), topics.deadLetters().keySerde().serializer(),
                topics.deadLetters().valueSerde().serializer(), PROCESSOR);
        return t;
    }
}
