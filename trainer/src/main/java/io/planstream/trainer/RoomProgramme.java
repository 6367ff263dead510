package io.planstream.trainer;

import java.util.HashMap;
import java.util.Map;

/**
 * An image's room programme (room category to count) read from its metadata, the ground truth of the
 * retrieval protocol on the held-out plans: relevant means the same programme. The keys are those the
 * ingest writes for RPLAN plans ({@code rooms.CATEGORY}, zeros included); {@code rooms.total} and
 * {@code rooms.bedroom} are sums over categories, not categories, and are left out. The trainer does not
 * depend on the ingest module, so the names are written here.
 */
final class RoomProgramme {

    static final String PREFIX = "rooms.";
    private static final String TOTAL = PREFIX + "total";
    private static final String BEDROOM = PREFIX + "bedroom";

    private RoomProgramme() {
    }

    /** The programme, or null where the metadata holds no room category or a count that is not a whole number >= 0. */
    static Map<String, Integer> of(Map<String, String> metadata) {
        if (metadata == null) {
            return null;
        }
        Map<String, Integer> out = new HashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX) || key.equals(TOTAL) || key.equals(BEDROOM)) {
                continue;
            }
            int count;
            try {
                count = Integer.parseInt(e.getValue().trim());
            } catch (NumberFormatException ex) {
                return null;
            }
            if (count < 0) {
                return null;
            }
            out.put(key.substring(PREFIX.length()), count);
        }
        return out.isEmpty() ? null : Map.copyOf(out);
    }
}
