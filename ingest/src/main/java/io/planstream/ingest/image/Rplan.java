package io.planstream.ingest.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Reads RPLAN rasters (Wu et al., "Data-driven Interior Plan Generation for Residential
 * Buildings", ACM TOG 38(6), 2019): 256x256 8-bit RGBA PNGs whose channels are not colours but
 * boundary (0), room category (1), room instance (2) and inside mask (3).
 *
 * <p>Shown as an ordinary picture such a file is nearly black and transparent, so it is rendered
 * by category before a person or an image model sees it.
 */
public final class Rplan {

    public static final int SIZE = 256;
    /** Band indices of the four channels. */
    public static final int BOUNDARY_BAND = 0;
    public static final int CATEGORY_BAND = 1;
    public static final int INSTANCE_BAND = 2;
    public static final int INSIDE_BAND = 3;
    /** Channel 0 values: nothing, exterior wall, front door. */
    public static final int BOUNDARY_NONE = 0;
    public static final int BOUNDARY_EXTERIOR_WALL = 127;
    public static final int BOUNDARY_FRONT_DOOR = 255;
    /** Channel 3 values. */
    public static final int OUTSIDE = 0;
    public static final int INSIDE = 255;

    /** Metadata key listing, by name and in id order, the categories present in channel 1. */
    public static final String CATEGORIES_KEY = "rplan.categories";

    private static final int BANDS = 4;
    private static final int MAX_INSTANCE = 255;
    /** The categories' colours by id, opaque: the colour table of {@link #render}'s pictures. */
    private static final IndexColorModel PALETTE = palette();

    private Rplan() {
    }

    /**
     * Whether the image is an RPLAN raster: 256x256, four 8-bit bands, every pixel's values in the
     * format's ranges, a non-empty inside mask, and nothing but external area, exterior wall or
     * front door outside the mask. The last rule is what rejects ordinary transparent RGBA
     * pictures, whose transparent pixels usually carry green 0.
     */
    public static boolean looksLikeRplan(BufferedImage image) {
        return image != null && hasRplanShape(image) && whyNotRplanValues(image.getRaster()) == null;
    }

    /** What an upload keeps of an RPLAN raster: its colour picture ({@link #render}) and its room counts ({@link #roomCounts}). */
    public record Reading(BufferedImage picture, Map<String, String> metadata) {
    }

    /**
     * Reads an RPLAN raster for an upload: the checks of {@link #looksLikeRplan} once, then the picture and the
     * room counts, where calling the three methods would check the pixels three times.
     *
     * @return empty if the image is not an RPLAN raster
     */
    public static Optional<Reading> read(BufferedImage image) {
        if (!looksLikeRplan(image)) {
            return Optional.empty();
        }
        Raster raster = image.getRaster();
        return Optional.of(new Reading(picture(raster), metadata(raster)));
    }

    /**
     * A colour picture of the plan: each pixel painted by its room category with the fixed
     * palette of {@link RplanCategory#color()}, white outside the building.
     *
     * <p>An indexed-colour image whose pixel values are the category ids: it holds the same colours
     * as an RGB picture, but its PNG has a third of the bytes to compress and to decode again (encode
     * 0.71 instead of 1.53 ms, decode 0.37 instead of 0.68 ms per plan, 783 instead of 1,845 bytes;
     * docs/RESULTS.md), which every upload pays once in the API and again in the embedder and the
     * catalog.
     *
     * @throws IllegalArgumentException if the image is not an RPLAN raster
     */
    public static BufferedImage render(BufferedImage rplan) {
        return picture(requireRplan(rplan));
    }

    private static BufferedImage picture(Raster raster) {
        BufferedImage picture = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_INDEXED, PALETTE);
        byte[] out = ((DataBufferByte) picture.getRaster().getDataBuffer()).getData();
        int[] categories = new int[SIZE];
        for (int y = 0; y < SIZE; y++) {
            raster.getSamples(0, y, SIZE, 1, CATEGORY_BAND, categories);
            for (int x = 0; x < SIZE; x++) {
                out[y * SIZE + x] = (byte) categories[x];
            }
        }
        return picture;
    }

    /**
     * Counts the rooms of each room category (0..12). A room is a (category, instance) pair: the
     * instance id in channel 2 tells rooms of one category apart, and a room cut in two by a wall
     * drawn through it is still one room. Walls, doors and the external area are not rooms.
     *
     * @throws IllegalArgumentException if the image is not an RPLAN raster
     */
    public static RoomCounts countRooms(BufferedImage rplan) {
        return rooms(requireRplan(rplan), new boolean[RplanCategory.values().length]);
    }

    /**
     * Room counts as image metadata ({@link RoomCounts#toMetadata()}) plus {@value #CATEGORIES_KEY},
     * e.g. {@code rooms.total=6, rooms.bedroom=2, rooms.living_room=1, ...}.
     *
     * @throws IllegalArgumentException if the image is not an RPLAN raster
     */
    public static Map<String, String> roomCounts(BufferedImage rplan) {
        return metadata(requireRplan(rplan));
    }

    private static Map<String, String> metadata(Raster raster) {
        boolean[] present = new boolean[RplanCategory.values().length];
        Map<String, String> metadata = new LinkedHashMap<>(rooms(raster, present).toMetadata());
        StringJoiner names = new StringJoiner(",");
        for (RplanCategory category : RplanCategory.values()) {
            if (present[category.id()]) {
                names.add(category.key());
            }
        }
        metadata.put(CATEGORIES_KEY, names.toString());
        return metadata;
    }

    /** Counts the rooms in one pass, marking in {@code present} every category that any pixel has. */
    private static RoomCounts rooms(Raster raster, boolean[] present) {
        boolean[][] seen = new boolean[RplanCategory.WALL_IN.id() + 1][MAX_INSTANCE + 1];
        EnumMap<RplanCategory, Integer> counts = new EnumMap<>(RplanCategory.class);
        int[] pixels = new int[SIZE * BANDS];
        for (int y = 0; y < SIZE; y++) {
            raster.getPixels(0, y, SIZE, 1, pixels);
            for (int x = 0; x < SIZE; x++) {
                int category = pixels[x * BANDS + CATEGORY_BAND];
                int instance = pixels[x * BANDS + INSTANCE_BAND];
                present[category] = true;
                if (category < seen.length && !seen[category][instance]) {
                    seen[category][instance] = true;
                    counts.merge(RplanCategory.byId(category).orElseThrow(), 1, Integer::sum);
                }
            }
        }
        return new RoomCounts(counts);
    }

    private static IndexColorModel palette() {
        int[] rgb = new int[RplanCategory.values().length];
        for (RplanCategory category : RplanCategory.values()) {
            rgb[category.id()] = category.color().getRGB() | 0xFF000000;
        }
        return new IndexColorModel(8, rgb.length, rgb, 0, false, -1, DataBuffer.TYPE_BYTE);
    }

    private static Raster requireRplan(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        if (!hasRplanShape(image)) {
            throw new IllegalArgumentException("not an RPLAN raster: expected 256x256 with four 8-bit bands, got "
                    + image.getWidth() + "x" + image.getHeight() + " with " + image.getRaster().getNumBands()
                    + " band(s)");
        }
        WritableRaster raster = image.getRaster();
        String problem = whyNotRplanValues(raster);
        if (problem != null) {
            throw new IllegalArgumentException("not an RPLAN raster: " + problem);
        }
        return raster;
    }

    private static boolean hasRplanShape(BufferedImage image) {
        if (image.getWidth() != SIZE || image.getHeight() != SIZE || image.isAlphaPremultiplied()) {
            return false;
        }
        Raster raster = image.getRaster();
        if (raster.getNumBands() != BANDS) {
            return false;
        }
        for (int size : raster.getSampleModel().getSampleSize()) {
            if (size != 8) {
                return false;
            }
        }
        return true;
    }

    /** The first rule the pixel values break, or null when all hold. */
    private static String whyNotRplanValues(Raster raster) {
        int[] pixels = new int[SIZE * BANDS];
        long inside = 0;
        for (int y = 0; y < SIZE; y++) {
            raster.getPixels(0, y, SIZE, 1, pixels);
            for (int x = 0; x < SIZE; x++) {
                int i = x * BANDS;
                int boundary = pixels[i + BOUNDARY_BAND];
                int category = pixels[i + CATEGORY_BAND];
                int mask = pixels[i + INSIDE_BAND];
                if (boundary != BOUNDARY_NONE && boundary != BOUNDARY_EXTERIOR_WALL && boundary != BOUNDARY_FRONT_DOOR) {
                    return "boundary channel is " + boundary + " at (" + x + "," + y + "), expected 0, 127 or 255";
                }
                if (category > RplanCategory.INTERIOR_DOOR.id()) {
                    return "category channel is " + category + " at (" + x + "," + y + "), expected 0..17";
                }
                if (mask == INSIDE) {
                    inside++;
                } else if (mask != OUTSIDE) {
                    return "inside mask is " + mask + " at (" + x + "," + y + "), expected 0 or 255";
                } else if (category < RplanCategory.EXTERNAL_AREA.id() || category > RplanCategory.FRONT_DOOR.id()) {
                    return "category " + category + " outside the inside mask at (" + x + "," + y + ")";
                }
            }
        }
        if (inside == 0) {
            return "the inside mask is empty";
        }
        if (inside == (long) SIZE * SIZE) {
            return "the inside mask covers the whole canvas, leaving no room for the exterior wall";
        }
        return null;
    }
}
