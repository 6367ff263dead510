package io.planstream.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class RplanTest {

    /**
     * Read off the two samples' pixels independently of Rplan (distinct category/instance pairs
     * of channels 1 and 2): both hold living room (instance 3 resp. 4), master room, kitchen,
     * bathroom, second room and balcony, one each.
     */
    private static final Map<String, String> SAMPLE_COUNTS = Map.of(
            "rooms.total", "6",
            "rooms.bedroom", "2",
            "rooms.living_room", "1",
            "rooms.master_room", "1",
            "rooms.kitchen", "1",
            "rooms.bathroom", "1",
            "rooms.second_room", "1",
            "rooms.balcony", "1",
            "rooms.child_room", "0",
            "rooms.storage", "0");

    @Test
    void shouldRecogniseBothRealRplanSamples() throws IOException {
        assertThat(Rplan.looksLikeRplan(decode(TestImages.rplanSample("0.png")))).isTrue();
        assertThat(Rplan.looksLikeRplan(decode(TestImages.rplanSample("example.png")))).isTrue();
    }

    @Test
    void shouldCountRoomsOfRealSamples() throws IOException {
        for (String sample : new String[] {"0.png", "example.png"}) {
            Map<String, String> counts = Rplan.roomCounts(decode(TestImages.rplanSample(sample)));

            assertThat(counts).as(sample).containsAllEntriesOf(SAMPLE_COUNTS);
            assertThat(counts).as(sample).containsEntry(Rplan.CATEGORIES_KEY,
                    "living_room,master_room,kitchen,bathroom,second_room,balcony,"
                            + "external_area,exterior_wall,front_door,interior_wall,interior_door");
            // One key per room category (13), the two sums and the category list.
            assertThat(counts).as(sample).hasSize(16);
        }
    }

    @Test
    void shouldCountRoomsAsCategoryInstancePairs() {
        RasterBuilder plan = new RasterBuilder()
                // Two second rooms: same category, different instances.
                .room(20, 20, 60, 60, RplanCategory.SECOND_ROOM, 2)
                .room(60, 20, 100, 60, RplanCategory.SECOND_ROOM, 3)
                // One master room cut in two by a wall drawn through it: still one room.
                .room(20, 60, 50, 100, RplanCategory.MASTER_ROOM, 1)
                .room(55, 60, 100, 100, RplanCategory.MASTER_ROOM, 1)
                .room(50, 60, 55, 100, RplanCategory.INTERIOR_WALL, 0)
                // Kitchen and bathroom share an instance id but are different rooms.
                .room(100, 20, 140, 60, RplanCategory.KITCHEN, 6)
                .room(100, 60, 140, 100, RplanCategory.BATHROOM, 6)
                // A living room with instance 0 is still a room.
                .room(20, 100, 140, 140, RplanCategory.LIVING_ROOM, 0)
                // Non-room categories never count, whatever their instance channel says.
                .room(60, 58, 70, 62, RplanCategory.INTERIOR_DOOR, 9);

        RoomCounts counts = Rplan.countRooms(plan.build());

        EnumMap<RplanCategory, Integer> expected = new EnumMap<>(RplanCategory.class);
        expected.put(RplanCategory.SECOND_ROOM, 2);
        expected.put(RplanCategory.MASTER_ROOM, 1);
        expected.put(RplanCategory.KITCHEN, 1);
        expected.put(RplanCategory.BATHROOM, 1);
        expected.put(RplanCategory.LIVING_ROOM, 1);
        assertThat(counts).isEqualTo(new RoomCounts(expected));
        assertThat(counts.total()).isEqualTo(6);
        assertThat(counts.bedrooms()).isEqualTo(3);
        assertThat(counts.toMetadata())
                .containsEntry("rooms.second_room", "2")
                .containsEntry("rooms.bedroom", "3")
                .containsEntry("rooms.total", "6")
                .containsEntry("rooms.dining_room", "0");
    }

    @Test
    void shouldSumEveryBedroomCategoryIntoBedrooms() {
        RasterBuilder plan = new RasterBuilder();
        RplanCategory[] bedrooms = {RplanCategory.MASTER_ROOM, RplanCategory.CHILD_ROOM, RplanCategory.STUDY_ROOM,
            RplanCategory.SECOND_ROOM, RplanCategory.GUEST_ROOM};
        for (int i = 0; i < bedrooms.length; i++) {
            plan.room(20 + 20 * i, 20, 40 + 20 * i, 60, bedrooms[i], i + 1);
        }
        plan.room(20, 60, 120, 100, RplanCategory.STORAGE, 7);

        Map<String, String> counts = Rplan.roomCounts(plan.build());

        assertThat(counts).containsEntry("rooms.bedroom", "5").containsEntry("rooms.total", "6")
                .containsEntry("rooms.storage", "1");
    }

    @Test
    void shouldRejectPicturesThatAreNotRplanRasters() {
        BufferedImage rgb = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        BufferedImage transparent = new BufferedImage(256, 256, BufferedImage.TYPE_4BYTE_ABGR);
        BufferedImage opaqueBlack = new BufferedImage(256, 256, BufferedImage.TYPE_4BYTE_ABGR);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                opaqueBlack.getRaster().setSample(x, y, Rplan.INSIDE_BAND, 255);
            }
        }
        BufferedImage greenTooHigh = new RasterBuilder().build();
        greenTooHigh.getRaster().setSample(128, 128, Rplan.CATEGORY_BAND, 200);
        BufferedImage oddBoundary = new RasterBuilder().build();
        oddBoundary.getRaster().setSample(128, 128, Rplan.BOUNDARY_BAND, 64);
        BufferedImage halfMask = new RasterBuilder().build();
        halfMask.getRaster().setSample(128, 128, Rplan.INSIDE_BAND, 128);

        assertThat(Rplan.looksLikeRplan(rgb)).as("three bands").isFalse();
        assertThat(Rplan.looksLikeRplan(transparent)).as("transparent black").isFalse();
        assertThat(Rplan.looksLikeRplan(opaqueBlack)).as("no outside").isFalse();
        assertThat(Rplan.looksLikeRplan(greenTooHigh)).as("category 200").isFalse();
        assertThat(Rplan.looksLikeRplan(oddBoundary)).as("boundary 64").isFalse();
        assertThat(Rplan.looksLikeRplan(halfMask)).as("mask 128").isFalse();
        assertThat(Rplan.looksLikeRplan(new BufferedImage(255, 256, BufferedImage.TYPE_4BYTE_ABGR))).isFalse();
        assertThat(Rplan.looksLikeRplan(null)).isFalse();
        assertThat(Rplan.looksLikeRplan(new RasterBuilder().build())).as("the builder's own plan").isTrue();
    }

    @Test
    void shouldRejectRplanWithEmptyInsideMask() {
        BufferedImage empty = new RasterBuilder().build();
        WritableRaster raster = empty.getRaster();
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                if (raster.getSample(x, y, Rplan.INSIDE_BAND) == Rplan.INSIDE) {
                    raster.setPixel(x, y, new int[] {0, RplanCategory.EXTERNAL_AREA.id(), 0, 0});
                }
            }
        }

        assertThat(Rplan.looksLikeRplan(empty)).isFalse();
    }

    @Test
    void shouldRenderEachPixelInItsCategoryColourAndWhiteOutside() throws IOException {
        BufferedImage rplan = decode(TestImages.rplanSample("0.png"));

        BufferedImage picture = Rplan.render(rplan);

        assertThat(picture.getColorModel().hasAlpha()).isFalse();
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                int category = rplan.getRaster().getSample(x, y, Rplan.CATEGORY_BAND);
                int expected = RplanCategory.byId(category).orElseThrow().color().getRGB() & 0xFFFFFF;
                assertThat(picture.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d", x, y).isEqualTo(expected);
                seen.add(category);
            }
        }
        assertThat(seen).contains(RplanCategory.EXTERIOR_WALL.id(), RplanCategory.FRONT_DOOR.id(),
                RplanCategory.INTERIOR_DOOR.id(), RplanCategory.LIVING_ROOM.id());
        assertThat(picture.getRGB(0, 0) & 0xFFFFFF).as("outside").isEqualTo(0xFFFFFF);
    }

    @Test
    void shouldUseDistinctPaletteWithDarkWallsAndLightRooms() {
        Set<Integer> colours = new HashSet<>();
        for (RplanCategory category : RplanCategory.values()) {
            colours.add(category.color().getRGB());
            double luma = luma(category.color().getRGB());
            if (category.isRoom()) {
                assertThat(luma).as(category.key()).isGreaterThan(150);
            }
        }
        assertThat(colours).hasSize(RplanCategory.values().length);
        assertThat(luma(RplanCategory.EXTERIOR_WALL.color().getRGB())).isLessThan(60);
        assertThat(luma(RplanCategory.INTERIOR_WALL.color().getRGB())).isLessThan(110);
        assertThat(RplanCategory.EXTERNAL_AREA.color().getRGB() & 0xFFFFFF).isEqualTo(0xFFFFFF);
    }

    @Test
    void shouldNumberCategoriesAsTheRplanFormatDoes() {
        assertThat(RplanCategory.values()).hasSize(18);
        for (RplanCategory category : RplanCategory.values()) {
            assertThat(RplanCategory.byId(category.id())).contains(category);
        }
        assertThat(RplanCategory.byId(0)).contains(RplanCategory.LIVING_ROOM);
        assertThat(RplanCategory.byId(9)).contains(RplanCategory.BALCONY);
        assertThat(RplanCategory.byId(12)).contains(RplanCategory.WALL_IN);
        assertThat(RplanCategory.byId(17)).contains(RplanCategory.INTERIOR_DOOR);
        assertThat(RplanCategory.byId(18)).isEmpty();
        assertThat(RplanCategory.WALL_IN.isRoom()).isTrue();
        assertThat(RplanCategory.EXTERNAL_AREA.isRoom()).isFalse();
    }

    @Test
    void shouldReadThePictureAndTheCountsOfAnUploadAtOnce() throws IOException {
        BufferedImage rplan = decode(TestImages.rplanSample("example.png"));

        Rplan.Reading reading = Rplan.read(rplan).orElseThrow();

        assertThat(reading.metadata()).isEqualTo(Rplan.roomCounts(rplan)).containsAllEntriesOf(SAMPLE_COUNTS);
        // one byte per pixel, the category id, under the categories' palette: a third of an RGB picture's PNG
        assertThat(reading.picture().getType()).isEqualTo(BufferedImage.TYPE_BYTE_INDEXED);
        BufferedImage rendered = Rplan.render(rplan);
        for (int y = 0; y < 256; y += 5) {
            for (int x = 0; x < 256; x += 3) {
                assertThat(reading.picture().getRaster().getSample(x, y, 0)).isEqualTo(rplan.getRaster().getSample(x, y, Rplan.CATEGORY_BAND));
                assertThat(reading.picture().getRGB(x, y)).isEqualTo(rendered.getRGB(x, y));
            }
        }
        // its PNG decodes to the same colours
        BufferedImage again = decode(Png.encode(reading.picture()));
        assertThat(again.getRGB(128, 128)).isEqualTo(rendered.getRGB(128, 128));
        assertThat(again.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);

        assertThat(Rplan.read(new BufferedImage(256, 256, BufferedImage.TYPE_4BYTE_ABGR))).isEmpty();
        assertThat(Rplan.read(new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB))).isEmpty();
    }

    @Test
    void shouldRefuseToRenderOrCountPicturesThatAreNotRplan() {
        BufferedImage rgb = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        BufferedImage transparent = new BufferedImage(256, 256, BufferedImage.TYPE_4BYTE_ABGR);

        assertThatThrownBy(() -> Rplan.render(rgb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 band");
        assertThatThrownBy(() -> Rplan.countRooms(transparent)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the inside mask");
    }

    private static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    private static double luma(int rgb) {
        return 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
    }

    /**
     * A hand-drawn RPLAN raster: the inside is [20,140) x [20,140), surrounded by a 3-pixel
     * exterior wall; rooms are painted over the inside.
     */
    static final class RasterBuilder {

        private final BufferedImage image = new BufferedImage(256, 256, BufferedImage.TYPE_4BYTE_ABGR);

        RasterBuilder() {
            WritableRaster raster = image.getRaster();
            for (int y = 0; y < 256; y++) {
                for (int x = 0; x < 256; x++) {
                    boolean inside = x >= 20 && x < 140 && y >= 20 && y < 140;
                    boolean wall = !inside && x >= 17 && x < 143 && y >= 17 && y < 143;
                    if (inside) {
                        raster.setPixel(x, y, new int[] {0, RplanCategory.INTERIOR_WALL.id(), 0, 255});
                    } else if (wall) {
                        raster.setPixel(x, y, new int[] {127, RplanCategory.EXTERIOR_WALL.id(), 0, 0});
                    } else {
                        raster.setPixel(x, y, new int[] {0, RplanCategory.EXTERNAL_AREA.id(), 0, 0});
                    }
                }
            }
        }

        RasterBuilder room(int x0, int y0, int x1, int y1, RplanCategory category, int instance) {
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    image.getRaster().setPixel(x, y, new int[] {0, category.id(), instance, 255});
                }
            }
            return this;
        }

        BufferedImage build() {
            return image;
        }
    }
}
