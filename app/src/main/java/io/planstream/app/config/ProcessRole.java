package io.planstream.app.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * A part of the pipeline one process can run ({@code planstream.roles}, {@code serve --roles}). Not to be
 * confused with {@link io.planstream.app.security.Role}, what an API key allows.
 */
public enum ProcessRole {
    INGEST, EMBEDDER, INDEX, TRAINER;

    /** Every role's name, in the order above: the names the configuration and the command line take. */
    public static final String NAMES = Arrays.stream(values()).map(ProcessRole::id).collect(Collectors.joining(", "));

    /** The name used in configuration, on the command line and in {@code GET /status}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the unknown role and the valid ones */
    public static ProcessRole parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (ProcessRole r : values()) {
            if (r.id().equals(t)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "'; the roles are " + NAMES);
    }

    /** A comma-separated list, as {@code --roles} takes it; blank entries are skipped. */
    public static List<ProcessRole> parseList(String text) {
        List<ProcessRole> roles = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                roles.add(parse(part));
            }
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("no role given; the roles are " + NAMES);
        }
        return roles;
    }

    /** Reads a role from the configuration, so that an unknown one stops the start with {@link #parse}'s message. */
    public static final class ConfigConverter implements Converter<ProcessRole> {
        @Override
        public ProcessRole convert(String value) {
            return parse(value);
        }
    }
}
