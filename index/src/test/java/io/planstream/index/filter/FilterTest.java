package io.planstream.index.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

class FilterTest {

    @Test
    void shouldParseValuesAndInclusiveRangesWithOpenEnds() {
        assertThat(Filter.parse("rooms.bedroom:3")).isEqualTo(new Filter("rooms.bedroom", "3", null, null));
        assertThat(Filter.parse("rooms.total:[3 TO 5]")).isEqualTo(new Filter("rooms.total", null, "3", "5"));
        assertThat(Filter.parse("rooms.total:[3 TO *]")).isEqualTo(new Filter("rooms.total", null, "3", null));
        assertThat(Filter.parse("uploaded:[2026-12-01T00:00:00Z TO *]"))
                .isEqualTo(new Filter("uploaded", null, "2026-12-01T00:00:00Z", null));
        assertThat(Filter.parse("format:rplan").isRange()).isFalse();
        assertThat(Filter.parse("rooms.total:[* TO 4]").toString()).isEqualTo("rooms.total:[* TO 4]");
        assertThat(Filter.parseAll(null)).isEmpty();
    }

    @Test
    void shouldNameWhatIsWrongWithAMalformedFilter() {
        assertThatThrownBy(() -> Filter.parse("rooms.total")).isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining("filter 'rooms.total' must be field:value or field:[from TO to]");
        assertThatThrownBy(() -> Filter.parse(":3")).hasMessageContaining("names no valid field");
        assertThatThrownBy(() -> Filter.parse("rooms total:3")).hasMessageContaining("names no valid field");
        assertThatThrownBy(() -> Filter.parse("rooms.total:")).hasMessageContaining("has no value");
        assertThatThrownBy(() -> Filter.parse("rooms.total:[3 5]")).hasMessageContaining("is no range");
        assertThatThrownBy(() -> Filter.parse("rooms.total:[3 TO 5")).hasMessageContaining("is no range");
        assertThatThrownBy(() -> Filter.parse(" ")).hasMessageContaining("got an empty one");
        assertThatThrownBy(() -> Filter.parseAll(Collections.nCopies(33, "a:1"))).hasMessage("at most 32 filters, got 33");
        assertThatThrownBy(() -> Filter.parse(new Filter("uploaded", null, "yesterday", null).toString()).time("yesterday"))
                .hasMessageContaining("'yesterday' is neither an ISO-8601 instant");
        assertThat(Filter.parseAll(List.of("a:1", "b:[1 TO 2]"))).hasSize(2);
    }
}
