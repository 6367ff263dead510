package io.planstream.platform.http;

import java.time.Duration;
import java.util.Locale;


/** The {@code timeout} of a waiting request: {@code 250ms}, {@code 5s}, or a number of seconds. */
public final class WaitTimeout {

    public static final Duration DEFAULT = Duration.ofSeconds(30);
    public static final Duration MAX = Duration.ofSeconds(60);

    private WaitTimeout() {
    }

    /** The timeout a parameter names, {@link #DEFAULT} where it is absent; a 400 where it is not a duration in [0, {@link #MAX}]. */
    public static Duration parse(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            } else {
                double seconds = Double.parseDouble(v.endsWith("s") ? v.substring(0, v.length() - 1).trim() : v);
                if (!Double.isFinite(seconds)) {
                    throw new NumberFormatException(v);
                }
                d = Duration.ofNanos(Math.round(Math.min(seconds, 1e6) * 1e9));
            }
        } catch (NumberFormatException e) {
            throw new BadRequestException("invalid_query", "timeout must be a duration such as 250ms, 5s or 2.5, got '" + value + "'");
        }
        if (d.isNegative() || d.compareTo(MAX) > 0) {
            throw new BadRequestException("invalid_query", "timeout must be between 0 and " + MAX.toSeconds() + "s, got '" + value + "'");
        }
        return d;
    }
}
