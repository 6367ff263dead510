package io.planstream.platform;

/** Names of the topics the roles share. Tests import these rather than repeating the strings. */
public final class TopicNames {

    /** Every accepted image, keyed by image id; compacted, so it is the store of record. */
    public static final String IMAGES = "images";
    /** One record per (image, model version), keyed by image id. */
    public static final String EMBEDDINGS = "embeddings";
    /** Published model versions, keyed by version; compacted. */
    public static final String MODELS = "models";
    /** The files of every model version's artifact, in chunks keyed by v{version}/{file}/{chunk}; compacted. */
    public static final String MODEL_ARTIFACTS = "model-artifacts";
    /** The index replicas' reports and the cluster's serving version, keyed replica/{id} and switch; compacted. */
    public static final String SERVING = "serving";
    /** Records a stage could not process, with the reason. */
    public static final String DEAD_LETTERS = "dead-letters";
    /** Schemas of the embedded registry; compacted. */
    public static final String SCHEMAS = "_planstream_schemas";

    /** Prefix of the Kafka Streams application id (and so the consumer group) of each model version's embedder. */
    public static final String EMBEDDER_APPLICATION_PREFIX = "planstream-embedder-v";

    /** The application id, and consumer group, of the embedder stream of {@code version}. */
    public static String embedderApplicationId(int version) {
        return EMBEDDER_APPLICATION_PREFIX + version;
    }

    private TopicNames() {
    }
}
