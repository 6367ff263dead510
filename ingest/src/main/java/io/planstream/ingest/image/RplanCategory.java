package io.planstream.ingest.image;

import java.awt.Color;
import java.util.Optional;

/**
 * The 18 category ids of RPLAN's channel 1, with their metadata key names and the colour
 * {@link Rplan#render} paints them in.
 *
 * <p>Rooms (0..12) are light, distinguishable tints, so a plan reads like the pastel drawings in
 * the RPLAN papers; walls are dark and doors saturated, so openings stand out against them.
 */
public enum RplanCategory {
    LIVING_ROOM(0, "living_room", new Color(0xEE, 0xD6, 0xAF)),
    MASTER_ROOM(1, "master_room", new Color(0xE8, 0x9F, 0x9F)),
    KITCHEN(2, "kitchen", new Color(0xF2, 0xD0, 0x5C)),
    BATHROOM(3, "bathroom", new Color(0x86, 0xC5, 0xEB)),
    DINING_ROOM(4, "dining_room", new Color(0xF4, 0xA8, 0x6A)),
    CHILD_ROOM(5, "child_room", new Color(0xB7, 0xE0, 0x8E)),
    STUDY_ROOM(6, "study_room", new Color(0xC4, 0xAF, 0xDB)),
    SECOND_ROOM(7, "second_room", new Color(0xF5, 0xB8, 0xCF)),
    GUEST_ROOM(8, "guest_room", new Color(0xD9, 0xB3, 0x8C)),
    BALCONY(9, "balcony", new Color(0x9F, 0xDE, 0xD5)),
    ENTRANCE(10, "entrance", new Color(0xD8, 0xD8, 0x9A)),
    STORAGE(11, "storage", new Color(0xBC, 0xB1, 0xA6)),
    WALL_IN(12, "wall_in", new Color(0xA9, 0xB8, 0xC9)),
    EXTERNAL_AREA(13, "external_area", Color.WHITE),
    EXTERIOR_WALL(14, "exterior_wall", new Color(0x26, 0x26, 0x26)),
    FRONT_DOOR(15, "front_door", new Color(0xD6, 0x28, 0x28)),
    INTERIOR_WALL(16, "interior_wall", new Color(0x5A, 0x5A, 0x5A)),
    INTERIOR_DOOR(17, "interior_door", new Color(0x2A, 0x8C, 0x82));

    private static final RplanCategory[] BY_ID = values();

    private final int id;
    private final String key;
    private final Color color;

    RplanCategory(int id, String key, Color color) {
        this.id = id;
        this.key = key;
        this.color = color;
    }

    /** The value stored in channel 1. */
    public int id() {
        return id;
    }

    /** The snake_case name used in metadata keys, e.g. {@code master_room}. */
    public String key() {
        return key;
    }

    /** The colour {@link Rplan#render} paints this category in. */
    public Color color() {
        return color;
    }

    /** Categories 0..12 are rooms; the rest are outside, walls and doors. */
    public boolean isRoom() {
        return id <= WALL_IN.id;
    }

    /** RPLAN's bedroom group: master, child, study, second and guest rooms. */
    public boolean isBedroom() {
        return this == MASTER_ROOM || this == CHILD_ROOM || this == STUDY_ROOM
                || this == SECOND_ROOM || this == GUEST_ROOM;
    }

    public static Optional<RplanCategory> byId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[id]) : Optional.empty();
    }
}
