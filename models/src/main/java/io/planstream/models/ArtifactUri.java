package io.planstream.models;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a model version's artifact lies in Kafka: {@code kafka://{topic}/{partition}/{firstOffset}?version={N}},
 * for example {@code kafka://model-artifacts/0/1234?version=7}. The topic is the authority; the path names
 * the partition and the offset of the version's first chunk, which all its other chunks follow.
 *
 * <p>The offset makes a fetch read only the artifact's own records instead of scanning the topic; the
 * version tells the reader which chunks there are the artifact's, and lets it refuse a URI that points
 * at another version's records.
 *
 * @param topic       the chunk topic, a legal Kafka topic name
 * @param partition   its partition, {@code >= 0}
 * @param firstOffset offset of the first chunk, {@code >= 0}
 * @param version     model version of the artifact, {@code >= 1}
 */
public record ArtifactUri(String topic, int partition, long firstOffset, int version) {

    /** The URI scheme. */
    public static final String SCHEME = "kafka";

    private static final String FORM = SCHEME + "://{topic}/{partition}/{firstOffset}?version={N}";
    // Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic, not a public API).
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern PATH = Pattern.compile("/([0-9]{1,10})/([0-9]{1,19})");
    private static final Pattern QUERY = Pattern.compile("version=([0-9]{1,10})");

    /** @throws IllegalArgumentException naming the part that is out of range */
    public ArtifactUri {
        Objects.requireNonNull(topic, "topic");
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("'" + topic + "' is not a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        if (firstOffset < 0) {
            throw new IllegalArgumentException("first offset must be >= 0, got " + firstOffset);
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
    }

    /** @throws IllegalArgumentException unless {@code text} is a URI of the form above */
    public static ArtifactUri parse(String text) {
        Objects.requireNonNull(text, "text");
        try {
            return parse(new URI(text));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("artifact URI '" + text + "' is not a URI: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException unless {@code uri} is of the form
     *         {@code kafka://{topic}/{partition}/{firstOffset}?version={N}}, saying what is wrong */
    public static ArtifactUri parse(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw refused(uri, "the scheme is not '" + SCHEME + "'");
        }
        if (uri.isOpaque() || uri.getRawAuthority() == null) {
            throw refused(uri, "there is no topic after '" + SCHEME + "://'");
        }
        if (uri.getRawFragment() != null) {
            throw refused(uri, "it has a fragment");
        }
        Matcher path = PATH.matcher(Objects.requireNonNullElse(uri.getRawPath(), ""));
        if (!path.matches()) {
            throw refused(uri, "the path '" + uri.getRawPath() + "' is not /{partition}/{firstOffset}");
        }
        Matcher query = QUERY.matcher(Objects.requireNonNullElse(uri.getRawQuery(), ""));
        if (!query.matches()) {
            throw refused(uri, "the query '" + Objects.requireNonNullElse(uri.getRawQuery(), "") + "' is not version={N}");
        }
        try {
            return new ArtifactUri(uri.getRawAuthority(), Integer.parseInt(path.group(1)), Long.parseLong(path.group(2)),
                    Integer.parseInt(query.group(1)));
        } catch (NumberFormatException e) {
            throw refused(uri, "a number is too large (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw refused(uri, e.getMessage());
        }
    }

    public URI toUri() {
        return URI.create(toString());
    }

    @Override
    public String toString() {
        return SCHEME + "://" + topic + "/" + partition + "/" + firstOffset + "?version=" + version;
    }

    private static IllegalArgumentException refused(URI uri, String why) {
        return new IllegalArgumentException("artifact URI '" + uri + "' is not of the form " + FORM + ": " + why);
    }
}
