package io.planstream.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArtifactUriTest {

    @Test
    void shouldFormatAndParseTheSameUri() {
        ArtifactUri uri = new ArtifactUri("model-artifacts", 0, 1234, 7);

        assertThat(uri.toString()).isEqualTo("kafka://model-artifacts/0/1234?version=7");
        assertThat(ArtifactUri.parse(uri.toUri())).isEqualTo(uri);
        assertThat(ArtifactUri.parse("kafka://model-artifacts/2/0?version=1")).isEqualTo(new ArtifactUri("model-artifacts", 2, 0, 1));
    }

    @Test
    void shouldAcceptTopicNamesThatAreNotHostNames() {
        // '_' makes java.net.URI treat the authority as registry-based: the topic must still come through.
        assertThat(ArtifactUri.parse("kafka://my_artifacts.v2/1/5?version=3").topic()).isEqualTo("my_artifacts.v2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "file:///tmp/artifact                          | the scheme is not 'kafka'",
            "kafka:model-artifacts/0/1?version=1           | there is no topic",
            "kafka:///0/1?version=1                        | there is no topic",
            "kafka://model-artifacts/0?version=1           | the path '/0' is not /{partition}/{firstOffset}",
            "kafka://model-artifacts/0/1/2?version=1       | is not /{partition}/{firstOffset}",
            "kafka://model-artifacts/-1/1?version=1        | is not /{partition}/{firstOffset}",
            "kafka://model-artifacts/0/x?version=1         | is not /{partition}/{firstOffset}",
            "kafka://model-artifacts/0/1                   | the query '' is not version={N}",
            "kafka://model-artifacts/0/1?version=1&x=2     | the query 'version=1&x=2' is not version={N}",
            "kafka://model-artifacts/0/1?v=1               | is not version={N}",
            "kafka://model-artifacts/0/1?version=0         | version must be >= 1, got 0",
            "kafka://model-artifacts/0/1?version=1#top     | it has a fragment",
            "kafka://model-artifacts/9999999999/1?version=1 | a number is too large",
            "kafka://user@model-artifacts/0/1?version=1    | is not a Kafka topic name",
            "kafka://model-artifacts:9092/0/1?version=1    | is not a Kafka topic name",
    })
    void shouldRejectAnythingElseSayingWhatIsWrong(String text, String why) {
        assertThatThrownBy(() -> ArtifactUri.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("artifact URI '" + text + "'")
                .hasMessageContaining(why);
    }

    @Test
    void shouldRejectTextThatIsNoUri() {
        assertThatThrownBy(() -> ArtifactUri.parse("kafka://model artifacts/0/1?version=1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a URI");
    }

    @Test
    void shouldRefuseOutOfRangeParts() {
        assertThatThrownBy(() -> new ArtifactUri("model-artifacts", -1, 0, 1)).hasMessage("partition must be >= 0, got -1");
        assertThatThrownBy(() -> new ArtifactUri("model-artifacts", 0, -5, 1)).hasMessage("first offset must be >= 0, got -5");
        assertThatThrownBy(() -> new ArtifactUri("a/b", 0, 0, 1)).hasMessageContaining("'a/b' is not a Kafka topic name");
        assertThatThrownBy(() -> ArtifactUri.parse(URI.create("kafka://../0/1?version=1"))).hasMessageContaining("'..' is not a Kafka topic name");
    }
}
