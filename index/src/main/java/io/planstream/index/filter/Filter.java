package io.planstream.index.filter;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One filter of a search or a listing, as a user writes it: {@code field:value} (an exact value) or
 * {@code field:[from TO to]} (an inclusive range, {@code *} for an open end), the syntax of
 * Elasticsearch's and Lucene's query strings. Parsing checks the syntax only; which fields exist,
 * and whether they hold numbers, is the index's to say ({@link Attributes#query}).
 *
 * @param field the metadata key ({@code rooms.bedroom}), or {@link Attributes#FORMAT} or {@link Attributes#UPLOADED}
 * @param value the exact value, or null for a range
 * @param from the range's lower end, null when open (or for an exact value)
 * @param to the range's upper end, null when open (or for an exact value)
 */
public record Filter(String field, String value, String from, String to) {

    /** Most filters in one request: each is a clause of the query the graph search checks. */
    public static final int MAX_FILTERS = 32;
    /** Longest filter, field and value together. */
    public static final int MAX_LENGTH = 512;

    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern RANGE = Pattern.compile("\\[\\s*(\\S+)\\s+TO\\s+(\\S+)\\s*]");

    /** Whether this filter is a range rather than one value. */
    public boolean isRange() {
        return value == null;
    }

    /**
     * Parses the {@code filter} parameters of a request.
     *
     * @throws InvalidFilterException naming the filter and what is wrong with it
     */
    public static List<Filter> parseAll(List<String> filters) {
        if (filters == null || filters.isEmpty()) {
            return List.of();
        }
        if (filters.size() > MAX_FILTERS) {
            throw new InvalidFilterException("at most " + MAX_FILTERS + " filters, got " + filters.size());
        }
        return filters.stream().map(Filter::parse).toList();
    }

    /**
     * Parses one filter: {@code rooms.bedroom:3}, {@code rooms.total:[3 TO 5]}, {@code format:rplan},
     * {@code uploaded:[2026-12-01T00:00:00Z TO *]}.
     *
     * @throws InvalidFilterException naming the filter and what is wrong with it
     */
    public static Filter parse(String filter) {
        if (filter == null || filter.isBlank()) {
            throw new InvalidFilterException("a filter must be field:value or field:[from TO to], got an empty one");
        }
        if (filter.length() > MAX_LENGTH) {
            throw new InvalidFilterException("filter '" + filter.substring(0, 40) + "...' is longer than " + MAX_LENGTH
                    + " characters");
        }
        int colon = filter.indexOf(':');
        if (colon < 0) {
            throw new InvalidFilterException("filter '" + filter + "' must be field:value or field:[from TO to]");
        }
        String field = filter.substring(0, colon).trim();
        String expr = filter.substring(colon + 1).trim();
        if (!FIELD.matcher(field).matches()) {
            throw new InvalidFilterException("filter '" + filter + "' names no valid field: a field is 1..128 letters,"
                    + " digits, '.', '_' or '-'");
        }
        if (expr.isEmpty()) {
            throw new InvalidFilterException("filter '" + filter + "' has no value after the ':'");
        }
        if (expr.startsWith("[") || expr.endsWith("]")) {
            Matcher m = RANGE.matcher(expr);
            if (!m.matches()) {
                throw new InvalidFilterException("filter '" + filter + "' is no range: write field:[from TO to],"
                        + " inclusive, with * for an open end");
            }
            String from = m.group(1).equals("*") ? null : m.group(1);
            String to = m.group(2).equals("*") ? null : m.group(2);
            return new Filter(field, null, from, to);
        }
        return new Filter(field, expr, null, null);
    }

    /** The filter as the user wrote it, for messages. */
    @Override
    public String toString() {
        return isRange() ? field + ":[" + (from == null ? "*" : from) + " TO " + (to == null ? "*" : to) + "]"
                : field + ":" + value;
    }

    /** A number of this filter, or an error that names it. */
    double number(String text) {
        try {
            double d = Double.parseDouble(text);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new InvalidFilterException("filter '" + this + "': '" + field + "' holds numbers, and '" + text
                + "' is not a number");
    }

    /** A time of this filter (ISO-8601 instant or epoch milliseconds), or an error that names it. */
    long time(String text) {
        try {
            return Instant.parse(text.toUpperCase(Locale.ROOT)).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException again) {
                throw new InvalidFilterException("filter '" + this + "': '" + text + "' is neither an ISO-8601 instant"
                        + " (2026-12-01T00:00:00Z) nor epoch milliseconds");
            }
        }
    }
}
