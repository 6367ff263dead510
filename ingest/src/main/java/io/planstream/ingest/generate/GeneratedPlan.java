package io.planstream.ingest.generate;

import io.planstream.ingest.image.RoomCounts;
import java.util.Objects;

/**
 * One synthetic plan and the ground truth it was drawn from.
 *
 * @param seed the seed that reproduces this plan with {@link FloorPlanGenerator#generate(long)}
 * @param png the plan as an RPLAN raster: 256x256 8-bit RGBA PNG
 * @param outline the footprint's shape
 * @param rooms rooms per category, as drawn; {@code Rplan.countRooms} on the PNG gives them back
 * @param area pixels inside the building (the inside mask), interior walls included
 */
public record GeneratedPlan(long seed, byte[] png, Outline outline, RoomCounts rooms, int area) {

    public GeneratedPlan {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(outline, "outline");
        Objects.requireNonNull(rooms, "rooms");
    }

    public int roomsTotal() {
        return rooms.total();
    }

    public int bedrooms() {
        return rooms.bedrooms();
    }
}
