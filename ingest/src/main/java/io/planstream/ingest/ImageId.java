package io.planstream.ingest;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.apache.commons.codec.digest.DigestUtils;

/** Image ids: the client's own (checked), or the SHA-256 of the bytes so that a repeated upload is one image. */
public final class ImageId {

    public static final int MAX_LENGTH = 128;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_LENGTH + "}");

    private ImageId() {
    }

    /**
     * Checks a client-supplied id.
     *
     * @throws InvalidIdException naming what is wrong with it
     */
    public static String validate(String id) {
        if (id == null || id.isEmpty()) {
            throw new InvalidIdException("id must not be empty");
        }
        if (id.length() > MAX_LENGTH) {
            throw new InvalidIdException("id is " + id.length() + " characters long, at most " + MAX_LENGTH + " are allowed");
        }
        if (!ALLOWED.matcher(id).matches()) {
            throw new InvalidIdException("id '" + printable(id) + "' may only contain letters, digits, '.', '_' and '-'");
        }
        // Ids name files in caches and indexes: '.' and '..' would name directories instead.
        if (id.chars().allMatch(c -> c == '.')) {
            throw new InvalidIdException("id '" + id + "' must contain a character other than '.'");
        }
        return id;
    }

    /** The client's id when given, else the hex SHA-256 of the bytes. */
    public static String resolve(String clientId, String sha256Hex) {
        return clientId == null || clientId.isBlank() ? sha256Hex : validate(clientId.strip());
    }

    /** The lower-case hex SHA-256 of the bytes: the id of an upload without a client id. */
    public static String sha256Hex(byte[] bytes) {
        return DigestUtils.sha256Hex(bytes);
    }

    private static String printable(String id) {
        String shown = id.length() > 40 ? id.substring(0, 40) + "..." : id;
        return new String(shown.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
    }

    /** A client id that cannot be used. */
    public static final class InvalidIdException extends IllegalArgumentException {
        public InvalidIdException(String message) {
            super(message);
        }
    }
}
