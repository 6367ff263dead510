package io.planstream.trainer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import io.planstream.simclr.data.ImageDataset;

/**
 * A bounded sample of the image stream, held as 8-bit pixels of one shape, from which each training
 * round draws its training and held-out images.
 *
 * <p>Two ways to choose what stays when the buffer is full: {@link Sampling#RESERVOIR} keeps a uniform
 * sample of everything seen (Vitter's algorithm R, seeded), so old layouts are not forgotten;
 * {@link Sampling#RECENT} keeps the newest images, so the model follows a drifting stream. An image id
 * is held at most once: a re-upload replaces it in place, a deletion removes it.
 *
 * <p>The held-out part is chosen by a hash of the id, not by position, so an image stays on the same
 * side from round to round and the gate compares every candidate on images no round trained on.
 */
public final class TrainingBuffer {

    /** What stays when the buffer is full. */
    public enum Sampling {
        RESERVOIR, RECENT;

        public static Sampling parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sampling must be reservoir or recent, got: " + s);
            }
        }
    }

    /**
     * The images of one round: the training part and the held-out part, with the held-out images' room programmes
     * (category to count, in the held-out order) where every one of them has one, else null.
     */
    public record Split(ImageDataset train, ImageDataset heldOut, List<Map<String, Integer>> heldOutProgrammes) {
    }

    private final int channels;
    private final int size;
    private final int imageBytes;
    private final int capacity;
    private final Sampling sampling;
    private final Random random;
    private final byte[][] pixels;
    private final String[] ids;
    private final String[] labels;
    /** Each slot's room programme, or null. */
    private final Map<String, Integer>[] programmes;
    private final Map<String, Integer> slots = new HashMap<>();
    private int filled;
    /** Ring position of the next replacement in {@link Sampling#RECENT}. */
    private int next;
    private long seen;
    private long added;

    /**
     * @param channels channels of every held image (the model's input channels)
     * @param size side of every held image in pixels
     * @param maxImages most images held
     * @param maxBytes most pixel bytes held; the capacity is the smaller of the two bounds
     * @param sampling what stays when full
     * @param seed seeds the reservoir's choices
     */
    public TrainingBuffer(int channels, int size, int maxImages, long maxBytes, Sampling sampling, long seed) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (size < 8) {
            throw new IllegalArgumentException("image size must be at least 8, got " + size);
        }
        if (maxImages < 2) {
            throw new IllegalArgumentException("the buffer must hold at least 2 images, got " + maxImages);
        }
        this.channels = channels;
        this.size = size;
        this.imageBytes = channels * size * size;
        long byBytes = maxBytes / imageBytes;
        if (byBytes < 2) {
            throw new IllegalArgumentException("a memory bound of " + maxBytes + " bytes holds fewer than 2 images of "
                    + imageBytes + " bytes");
        }
        this.capacity = (int) Math.min(maxImages, byBytes);
        this.sampling = sampling;
        this.random = new Random(seed);
        this.pixels = new byte[capacity][];
        this.ids = new String[capacity];
        this.labels = new String[capacity];
        @SuppressWarnings("unchecked")
        Map<String, Integer>[] noProgrammes = (Map<String, Integer>[]) new Map[capacity];
        this.programmes = noProgrammes;
    }

    /**
     * Offers one image of the stream.
     *
     * @param id the image id; an id already held is replaced in place
     * @param planes {@code channels * size * size} floats in [0, 1], planes in CHW order
     * @param label the image's class for kNN evaluation, or null
     */
    public synchronized void offer(String id, float[] planes, String label) {
        offer(id, planes, label, null);
    }

    /**
     * As {@link #offer(String, float[], String)}, with the image's room programme (category to count) for the
     * retrieval protocol, or null.
     */
    public synchronized void offer(String id, float[] planes, String label, Map<String, Integer> programme) {
        if (planes.length != imageBytes) {
            throw new IllegalArgumentException("image " + id + " has " + planes.length + " values, the buffer holds "
                    + channels + "x" + size + "x" + size);
        }
        seen++;
        Integer slot = slots.get(id);
        if (slot == null) {
            slot = chooseSlot();
            if (slot < 0) {
                return;
            }
            if (ids[slot] != null) {
                slots.remove(ids[slot]);
            }
            slots.put(id, slot);
        }
        pixels[slot] = quantise(planes);
        ids[slot] = id;
        labels[slot] = label;
        programmes[slot] = programme == null ? null : Map.copyOf(programme);
        added++;
    }

    /** Removes an image (deleted upstream); nothing happens where it is not held. */
    public synchronized void remove(String id) {
        Integer slot = slots.remove(id);
        if (slot == null) {
            return;
        }
        int last = filled - 1;
        if (slot != last) {
            // The last image moves into the hole, so slots 0..filled-1 stay full.
            pixels[slot] = pixels[last];
            ids[slot] = ids[last];
            labels[slot] = labels[last];
            programmes[slot] = programmes[last];
            slots.put(ids[slot], slot);
        }
        pixels[last] = null;
        ids[last] = null;
        labels[last] = null;
        programmes[last] = null;
        filled--;
        if (next > filled) {
            next = 0;
        }
    }

    /** The slot for a new id, or -1 where the reservoir passes it over. */
    private int chooseSlot() {
        if (filled < capacity) {
            return filled++;
        }
        if (sampling == Sampling.RECENT) {
            int s = next;
            next = (next + 1) % capacity;
            return s;
        }
        // Algorithm R: the n-th image stays with probability capacity / n.
        long j = (long) (random.nextDouble() * seen);
        return j < capacity ? (int) j : -1;
    }

    private static byte[] quantise(float[] planes) {
        byte[] out = new byte[planes.length];
        for (int i = 0; i < planes.length; i++) {
            float v = Math.max(0f, Math.min(1f, planes[i]));
            out[i] = (byte) Math.round(v * 255f);
        }
        return out;
    }

    /** Images held now. */
    public synchronized int size() {
        return filled;
    }

    public int capacity() {
        return capacity;
    }

    public int channels() {
        return channels;
    }

    public int imageSize() {
        return size;
    }

    public Sampling sampling() {
        return sampling;
    }

    /** Images offered since the buffer was made, held or not. */
    public synchronized long seen() {
        return seen;
    }

    /** Images taken in (new or replaced) since the buffer was made. */
    public synchronized long added() {
        return added;
    }

    /** Bytes of pixels held now. */
    public synchronized long bytes() {
        return (long) filled * imageBytes;
    }

    /** Whether {@code id} falls in the held-out part, {@code fraction} of all ids. */
    static boolean heldOut(String id, double fraction) {
        // A fixed mix of the id's hash, so that the split does not depend on the JVM or on the order of arrival.
        long h = id.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        double u = (h >>> 11) * 0x1.0p-53;
        return u < fraction;
    }

    /**
     * A copy of the held images, split into training and held-out parts.
     *
     * @param heldOutFraction share of ids held out, in [0, 1)
     */
    public synchronized Split snapshot(double heldOutFraction, String name) {
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + heldOutFraction);
        }
        TreeSet<String> classes = new TreeSet<>();
        for (int i = 0; i < filled; i++) {
            if (labels[i] != null) {
                classes.add(labels[i]);
            }
        }
        List<String> classNames = new ArrayList<>(classes);
        List<Integer> train = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < filled; i++) {
            (heldOut(ids[i], heldOutFraction) ? held : train).add(i);
        }
        return new Split(dataset(name + " (training)", train, classNames), dataset(name + " (held out)", held, classNames),
                programmes(held));
    }

    /** The programmes of these slots, in order; null where any of them has none. */
    private List<Map<String, Integer>> programmes(List<Integer> slotsTaken) {
        List<Map<String, Integer>> out = new ArrayList<>(slotsTaken.size());
        for (int s : slotsTaken) {
            if (programmes[s] == null) {
                return null;
            }
            out.add(programmes[s]);
        }
        return out;
    }

    private ImageDataset dataset(String name, List<Integer> slotsTaken, List<String> classNames) {
        byte[] out = new byte[slotsTaken.size() * imageBytes];
        int[] y = new int[slotsTaken.size()];
        boolean allLabelled = !slotsTaken.isEmpty();
        for (int k = 0; k < slotsTaken.size(); k++) {
            int s = slotsTaken.get(k);
            System.arraycopy(pixels[s], 0, out, k * imageBytes, imageBytes);
            y[k] = labels[s] == null ? -1 : classNames.indexOf(labels[s]);
            allLabelled &= labels[s] != null;
        }
        if (!allLabelled) {
            // kNN needs a label on every image: a partly labelled buffer counts as unlabelled.
            java.util.Arrays.fill(y, -1);
            return new ImageDataset(name, channels, size, size, out, y, List.of());
        }
        return new ImageDataset(name, channels, size, size, out, y, classNames);
    }
}
