package io.planstream.platform;

/**
 * Where an accepted upload sits in the images topic, handed to the client as {@code token}: an index
 * replica that has made this position searchable has made the upload searchable (and every upload before
 * it in the same partition). Written {@code partition:offset}.
 */
public record UploadToken(int partition, long offset) {

    public UploadToken {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("a token names a partition and an offset of at least 0, got " + partition + ":" + offset);
        }
    }

    /**
     * Reads a token as {@link #toString()} writes it.
     *
     * @throws IllegalArgumentException for anything else, with a message that says what was wrong
     */
    public static UploadToken parse(String text) {
        String t = text == null ? "" : text.trim();
        int colon = t.indexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("a token is partition:offset as an upload answered it, got '" + abbreviate(t) + "'");
        }
        try {
            return new UploadToken(Integer.parseInt(t.substring(0, colon)), Long.parseLong(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a token is partition:offset (two whole numbers), got '" + abbreviate(t) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    @Override
    public String toString() {
        return partition + ":" + offset;
    }
}
