package io.planstream.index.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class UploadTimeFormatTest {

    @Test
    void shouldWriteMillisecondsAlwaysSoThatTimesSortAsStrings() {
        Instant whole = Instant.parse("2026-12-07T06:18:32Z");
        List<String> written = Stream.of(whole.minusMillis(38), whole, whole.plusMillis(62))
                .map(ImageSearchResource.UPLOAD_TIME::format).toList();

        assertThat(written).containsExactly("2026-12-07T06:18:31.962Z", "2026-12-07T06:18:32.000Z",
                "2026-12-07T06:18:32.062Z").isSorted();
        assertThat(written).map(Instant::parse).containsExactly(whole.minusMillis(38), whole, whole.plusMillis(62));
    }
}
