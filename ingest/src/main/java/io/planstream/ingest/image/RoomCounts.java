package io.planstream.ingest.image;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How many rooms of each RPLAN room category (ids 0..12) a plan has. Every room category is
 * present, with 0 where the plan has none, so two counts compare with {@code equals}.
 *
 * @param byCategory rooms per room category, in category-id order
 */
public record RoomCounts(Map<RplanCategory, Integer> byCategory) {

    /** Metadata key prefix; a category's key is the prefix plus {@link RplanCategory#key()}. */
    public static final String KEY_PREFIX = "rooms.";
    public static final String TOTAL_KEY = KEY_PREFIX + "total";
    /** Sum over RPLAN's bedroom group (master, child, study, second, guest). */
    public static final String BEDROOM_KEY = KEY_PREFIX + "bedroom";

    public RoomCounts {
        EnumMap<RplanCategory, Integer> complete = new EnumMap<>(RplanCategory.class);
        for (RplanCategory category : RplanCategory.values()) {
            if (category.isRoom()) {
                complete.put(category, 0);
            }
        }
        byCategory.forEach((category, count) -> {
            if (!category.isRoom()) {
                throw new IllegalArgumentException(category + " (id " + category.id() + ") is not a room category");
            }
            if (count == null || count < 0) {
                throw new IllegalArgumentException("room count of " + category.key() + " must be >= 0, got " + count);
            }
            complete.put(category, count);
        });
        byCategory = Collections.unmodifiableMap(complete);
    }

    public int count(RplanCategory category) {
        return byCategory.getOrDefault(category, 0);
    }

    public int total() {
        return byCategory.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int bedrooms() {
        return byCategory.entrySet().stream()
                .filter(e -> e.getKey().isBedroom())
                .mapToInt(Map.Entry::getValue)
                .sum();
    }

    /**
     * The counts as image metadata: {@code rooms.total}, {@code rooms.bedroom} and one
     * {@code rooms.<category>} per room category, zeros included so that filters can match them.
     */
    public Map<String, String> toMetadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(TOTAL_KEY, Integer.toString(total()));
        metadata.put(BEDROOM_KEY, Integer.toString(bedrooms()));
        byCategory.forEach((category, count) -> metadata.put(KEY_PREFIX + category.key(), Integer.toString(count)));
        return metadata;
    }

    @Override
    public String toString() {
        return byCategory.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(e -> e.getKey().key() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "RoomCounts[total=" + total() + ", ", "]"));
    }
}
