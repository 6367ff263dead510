package io.planstream.ingest.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.planstream.avro.ImageFormat;
import io.planstream.ingest.image.ImageLimits;
import io.planstream.ingest.image.Rplan;
import io.planstream.ingest.image.RplanCategory;
import io.planstream.ingest.image.UploadValidator;
import io.planstream.ingest.image.ValidatedImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class FloorPlanGeneratorTest {

    private static final int SEEDS = 300;

    private final FloorPlanGenerator generator = new FloorPlanGenerator();

    @Test
    void shouldDrawRplanRastersWhoseRoomCountsReadBackExactly() {
        for (long seed = 0; seed < SEEDS; seed++) {
            GeneratedPlan plan = generator.generate(seed);
            BufferedImage raster = decode(plan.png());

            assertThat(Rplan.looksLikeRplan(raster)).as("seed %d", seed).isTrue();
            assertThat(Rplan.countRooms(raster)).as("seed %d", seed).isEqualTo(plan.rooms());
        }
    }

    @Test
    void shouldKeepEveryPlanWithinThreeToNineRoomsWithOneLivingRoom() {
        Set<Integer> totals = new HashSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            GeneratedPlan plan = generator.generate(seed);

            assertThat(plan.roomsTotal()).as("seed %d", seed).isBetween(3, 9);
            assertThat(plan.rooms().count(RplanCategory.LIVING_ROOM)).as("seed %d", seed).isEqualTo(1);
            assertThat(plan.bedrooms()).as("seed %d", seed).isGreaterThanOrEqualTo(1);
            totals.add(plan.roomsTotal());
        }
        assertThat(totals).as("every room count is drawn").containsExactlyInAnyOrder(3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void shouldHonourConfiguredRoomRange() {
        FloorPlanGenerator fiveRooms = FloorPlanGenerator.builder().optMinRooms(5).optMaxRooms(5).build();

        for (long seed = 0; seed < 50; seed++) {
            assertThat(fiveRooms.generate(seed).roomsTotal()).as("seed %d", seed).isEqualTo(5);
        }
    }

    @Test
    void shouldRejectRoomRangesOutsideWhatTheCanvasAllows() {
        assertThatThrownBy(() -> FloorPlanGenerator.builder().optMinRooms(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minRooms=2");
        assertThatThrownBy(() -> FloorPlanGenerator.builder().optMaxRooms(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRooms=10");
        assertThatThrownBy(() -> FloorPlanGenerator.builder().optMinRooms(7).optMaxRooms(6).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldDrawEveryOutlineShape() {
        Set<Outline> outlines = EnumSet.noneOf(Outline.class);
        for (long seed = 0; seed < 60; seed++) {
            outlines.add(generator.generate(seed).outline());
        }
        assertThat(outlines).containsExactlyInAnyOrder(Outline.values());
    }

    @Test
    void shouldReportAreaAsTheInsideMaskPixelCount() {
        for (long seed = 0; seed < 50; seed++) {
            GeneratedPlan plan = generator.generate(seed);
            Raster raster = decode(plan.png()).getRaster();
            int inside = 0;
            for (int y = 0; y < 256; y++) {
                for (int x = 0; x < 256; x++) {
                    inside += raster.getSample(x, y, Rplan.INSIDE_BAND) == Rplan.INSIDE ? 1 : 0;
                }
            }
            assertThat(plan.area()).as("seed %d", seed).isEqualTo(inside);
        }
    }

    @Test
    void shouldEncodeWallsAndDoorsAsRplanDoes() {
        for (long seed = 0; seed < 50; seed++) {
            Raster raster = decode(generator.generate(seed).png()).getRaster();
            Set<Integer> categories = new HashSet<>();
            for (int y = 0; y < 256; y++) {
                for (int x = 0; x < 256; x++) {
                    int[] p = raster.getPixel(x, y, (int[]) null);
                    int category = p[Rplan.CATEGORY_BAND];
                    categories.add(category);
                    int expectedBoundary = category == RplanCategory.EXTERIOR_WALL.id() ? 127
                            : category == RplanCategory.FRONT_DOOR.id() ? 255 : 0;
                    boolean expectedInside = category != RplanCategory.EXTERNAL_AREA.id()
                            && category != RplanCategory.EXTERIOR_WALL.id() && category != RplanCategory.FRONT_DOOR.id();
                    assertThat(p[Rplan.BOUNDARY_BAND]).as("seed %d boundary at %d,%d", seed, x, y)
                            .isEqualTo(expectedBoundary);
                    assertThat(p[Rplan.INSIDE_BAND]).as("seed %d mask at %d,%d", seed, x, y)
                            .isEqualTo(expectedInside ? 255 : 0);
                    if (category > RplanCategory.WALL_IN.id()) {
                        assertThat(p[Rplan.INSTANCE_BAND]).as("seed %d instance at %d,%d", seed, x, y).isZero();
                    }
                }
            }
            assertThat(categories).as("seed %d", seed).contains(
                    RplanCategory.EXTERNAL_AREA.id(), RplanCategory.EXTERIOR_WALL.id(), RplanCategory.FRONT_DOOR.id(),
                    RplanCategory.INTERIOR_WALL.id(), RplanCategory.INTERIOR_DOOR.id());
        }
    }

    @Test
    void shouldReachEveryRoomFromTheFrontDoorThroughDoors() {
        for (long seed = 0; seed < SEEDS; seed++) {
            GeneratedPlan plan = generator.generate(seed);
            Raster raster = decode(plan.png()).getRaster();

            Set<Integer> reachedRooms = walkFromFrontDoor(raster);

            assertThat(reachedRooms).as("seed %d: rooms (category*256+instance) reached", seed)
                    .hasSize(plan.roomsTotal());
        }
    }

    @Test
    void shouldDrawTheSameBytesForTheSameSeedAndOthersForOtherSeeds() {
        GeneratedPlan first = generator.generate(123);
        GeneratedPlan again = generator.generate(123);
        GeneratedPlan other = generator.generate(124);

        assertThat(again.png()).isEqualTo(first.png());
        assertThat(again.rooms()).isEqualTo(first.rooms());
        assertThat(other.png()).isNotEqualTo(first.png());
    }

    @Test
    void shouldPassUploadValidationAsRplanWithItsOwnRoomCounts() {
        UploadValidator validator = new UploadValidator(ImageLimits.defaults());
        for (long seed = 0; seed < 20; seed++) {
            GeneratedPlan plan = generator.generate(seed);

            ValidatedImage image = validator.validate(plan.png(), "image/png", null);

            assertThat(image.format()).isEqualTo(ImageFormat.RPLAN);
            assertThat(image.metadata()).containsAllEntriesOf(plan.rooms().toMetadata());
        }
    }

    /**
     * Flood fill from the front door over everything a person can walk through (rooms, interior
     * doors, the front door itself), never through walls or the outside. Returns the rooms reached.
     */
    private static Set<Integer> walkFromFrontDoor(Raster raster) {
        boolean[] visited = new boolean[256 * 256];
        Deque<Integer> queue = new ArrayDeque<>();
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                if (raster.getSample(x, y, Rplan.CATEGORY_BAND) == RplanCategory.FRONT_DOOR.id()) {
                    visited[y * 256 + x] = true;
                    queue.add(y * 256 + x);
                }
            }
        }
        assertThat(queue).as("front door pixels").isNotEmpty();
        Set<Integer> rooms = new HashSet<>();
        int[][] steps = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        while (!queue.isEmpty()) {
            int p = queue.poll();
            int x = p % 256;
            int y = p / 256;
            int category = raster.getSample(x, y, Rplan.CATEGORY_BAND);
            if (category <= RplanCategory.WALL_IN.id()) {
                rooms.add(category * 256 + raster.getSample(x, y, Rplan.INSTANCE_BAND));
            }
            for (int[] step : steps) {
                int nx = x + step[0];
                int ny = y + step[1];
                if (nx < 0 || ny < 0 || nx >= 256 || ny >= 256 || visited[ny * 256 + nx]) {
                    continue;
                }
                int next = raster.getSample(nx, ny, Rplan.CATEGORY_BAND);
                if (next <= RplanCategory.WALL_IN.id() || next == RplanCategory.INTERIOR_DOOR.id()
                        || next == RplanCategory.FRONT_DOOR.id()) {
                    visited[ny * 256 + nx] = true;
                    queue.add(ny * 256 + nx);
                }
            }
        }
        return rooms;
    }

    static BufferedImage decode(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
