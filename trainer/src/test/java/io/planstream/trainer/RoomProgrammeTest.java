package io.planstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class RoomProgrammeTest {

    @Test
    void shouldReadTheCategoriesAndLeaveOutTheSums() {
        Map<String, String> metadata = Map.of("rooms.total", "5", "rooms.bedroom", "2", "rooms.master_room", "1",
                "rooms.second_room", "1", "rooms.kitchen", "1", "rooms.balcony", "0", "batch", "a", "rplan.categories", "1,3,4");
        assertThat(RoomProgramme.of(metadata)).containsExactlyInAnyOrderEntriesOf(
                Map.of("master_room", 1, "second_room", 1, "kitchen", 1, "balcony", 0));
    }

    @Test
    void shouldHaveNoneWithoutCategoriesOrWithABadCount() {
        assertThat(RoomProgramme.of(Map.of("batch", "a"))).isNull();
        assertThat(RoomProgramme.of(Map.of("rooms.total", "5"))).as("sums alone").isNull();
        assertThat(RoomProgramme.of(Map.of("rooms.kitchen", "one"))).isNull();
        assertThat(RoomProgramme.of(Map.of("rooms.kitchen", "-1"))).isNull();
        assertThat(RoomProgramme.of(null)).isNull();
    }
}
