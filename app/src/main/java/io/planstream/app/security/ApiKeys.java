package io.planstream.app.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.codec.digest.DigestUtils;

/**
 * The configured API keys, held as SHA-256 digests. A presented key is hashed and compared with
 * every digest in constant time, so neither the configuration nor the timing gives a key away.
 *
 * <p>Why hand-written: Quarkus has no API-key mechanism of its own (its built-in ones are Basic,
 * form, mTLS and the OIDC/JWT extensions); this class plus {@link ApiKeyMechanism} and
 * {@link ApiKeyIdentityProvider} plug keys into Quarkus security, which does the rest.
 */
public final class ApiKeys {

    /** Keys made by {@link #generate()} start with this, so a leaked one is recognisable in a scan. */
    public static final String PREFIX = "ps_";
    /** Shortest key accepted in configuration terms: 128 bits of randomness in base64url. */
    static final int MIN_LENGTH = 22;
    private static final int MAX_PRESENTED_LENGTH = 256;

    /** One configured key. */
    public record Key(String name, byte[] sha256, Set<Role> roles) {
        public boolean grants(Role needed) {
            return roles.stream().anyMatch(r -> r.grants(needed));
        }
    }

    private final List<Key> keys;

    private ApiKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    /** Reads and checks the configured keys; a malformed entry fails start-up with its name. */
    public static ApiKeys from(Map<String, SecurityConfig.ApiKey> config, List<Key> more) {
        List<Key> keys = new ArrayList<>(more);
        config.forEach((name, k) -> {
            if (k.enabled()) {
                keys.add(key("planstream.security.api-keys." + name, name, k.sha256(), k.roles()));
            }
        });
        Set<String> names = new java.util.HashSet<>();
        for (Key k : keys) {
            if (!names.add(k.name())) {
                throw new IllegalArgumentException("two API keys are named '" + k.name() + "'; names identify keys in logs and must be unique");
            }
        }
        return new ApiKeys(keys);
    }

    public static ApiKeys of(List<Key> keys) {
        return new ApiKeys(keys);
    }

    /**
     * Reads a key file: one key per line, {@code NAME SHA256 ROLE[,ROLE...]}, blank lines and
     * {@code #} comments ignored. A malformed line fails with its number.
     */
    public static List<Key> parseFile(java.nio.file.Path file) {
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the API key file " + file + ": " + e.getMessage(), e);
        }
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            String[] fields = line.split("\\s+");
            if (fields.length != 3) {
                throw new IllegalArgumentException(where + ": expected 'NAME SHA256 ROLE[,ROLE...]', got " + fields.length + " fields");
            }
            keys.add(key(where, fields[0], fields[1], List.of(fields[2].split(","))));
        }
        return keys;
    }

    /** Checks and builds one key; {@code where} names its origin in messages. */
    static Key key(String where, String name, String sha256, List<String> roleNames) {
        String hex = sha256 == null ? "" : sha256.trim().toLowerCase(Locale.ROOT);
        if (hex.length() != 64) {
            throw new IllegalArgumentException(where + ": the SHA-256 of key '" + name + "' must be 64 hex digits, got "
                    + hex.length() + " characters");
        }
        byte[] digest;
        try {
            digest = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": the SHA-256 of key '" + name + "' is not hex: " + e.getMessage());
        }
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : roleNames) {
            try {
                roles.add(Role.parse(r));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": key '" + name + "': " + e.getMessage());
            }
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException(where + ": key '" + name + "' has no role");
        }
        return new Key(name, digest, Set.copyOf(roles));
    }

    public int size() {
        return keys.size();
    }

    /** The key whose digest matches, after comparing against every one (no early exit). */
    public Optional<Key> find(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > MAX_PRESENTED_LENGTH) {
            return Optional.empty();
        }
        byte[] digest = DigestUtils.sha256(presented);
        Key found = null;
        for (Key k : keys) {
            if (MessageDigest.isEqual(k.sha256(), digest) && found == null) {
                found = k;
            }
        }
        return Optional.ofNullable(found);
    }

    /** A new random key: 32 bytes from {@link SecureRandom}, base64url, with {@link #PREFIX}. */
    public static String generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Hex SHA-256 of a key, as configuration holds it. */
    public static String sha256Hex(String key) {
        return DigestUtils.sha256Hex(key);
    }
}
