package io.planstream.app.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a key allows. {@code admin} implies {@code upload} and {@code search}; {@code upload} implies
 * {@code search} (an uploader reads back what it sent).
 */
public enum Role {
    SEARCH, UPLOAD, ADMIN;

    /** The name used in configuration and in the identity's roles. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether holding this role grants {@code needed}. */
    public boolean grants(Role needed) {
        return ordinal() >= needed.ordinal();
    }

    public static Role parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Role r : values()) {
            if (r.id().equals(t)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "'; roles are "
                + Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", ")));
    }
}
