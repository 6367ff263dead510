package io.planstream.index.filter;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.index.Term;

/**
 * The filterable attributes of an image in a Lucene document, and the queries of {@link Filter}s on
 * them: the same in every version's vector index and in the image catalog, so a filter means the
 * same in a search and in a listing.
 *
 * <ul>
 *   <li>every metadata key {@code K}: its value as an exact term ({@code m.K}), and where the value is
 *       a number also as a point ({@code n.K}), so numbers filter by value and by range ({@code
 *       rooms.total:3}, {@code rooms.total:[3 TO 5]}) and other values by exact term;</li>
 *   <li>{@value #FORMAT}: {@code rplan} or {@code picture};</li>
 *   <li>{@value #UPLOADED}: the upload time, by ISO-8601 instant or epoch milliseconds.</li>
 * </ul>
 *
 * <p>Terms and points live in fields of their own names because Lucene keeps one schema per field,
 * and a key may hold a number in one image and a word in another.
 */
public final class Attributes {

    public static final String FORMAT = "format";
    public static final String UPLOADED = "uploaded";

    private static final String TERM_PREFIX = "m.";
    private static final String NUMBER_PREFIX = "n.";
    private static final String FORMAT_FIELD = "f.format";
    private static final String UPLOADED_FIELD = "t.uploaded";
    /** Field names listed in an unknown-field message at most. */
    private static final int MAX_LISTED = 40;

    private Attributes() {
    }

    /**
     * The fields of an image's attributes, to add to its document.
     *
     * @param format the image format, or null when unknown
     * @param metadata its metadata (key to value), may be empty
     * @param uploadTimeMillis the upload time, or null when unknown
     */
    public static List<Field> fields(String format, Map<String, String> metadata, Long uploadTimeMillis) {
        List<Field> out = new java.util.ArrayList<>();
        if (format != null) {
            out.add(new StringField(FORMAT_FIELD, format.toLowerCase(Locale.ROOT), Field.Store.NO));
        }
        if (uploadTimeMillis != null) {
            out.add(new LongPoint(UPLOADED_FIELD, uploadTimeMillis));
        }
        if (metadata != null) {
            metadata.forEach((key, value) -> {
                if (key == null || value == null) {
                    return;
                }
                out.add(new StringField(TERM_PREFIX + key, value, Field.Store.NO));
                Double number = number(value);
                if (number != null) {
                    out.add(new DoublePoint(NUMBER_PREFIX + key, number));
                }
            });
        }
        return out;
    }

    /**
     * One query that all {@code filters} must match, for documents of {@code reader}; null for no filters.
     *
     * @throws InvalidFilterException for a field that no document of the reader holds (the message
     *         lists those it does), a range on a field without numbers, or a value of the wrong kind
     */
    public static Query query(List<Filter> filters, IndexReader reader) {
        if (filters == null || filters.isEmpty()) {
            return null;
        }
        FieldInfos infos = FieldInfos.getMergedFieldInfos(reader);
        BooleanQuery.Builder all = new BooleanQuery.Builder();
        for (Filter f : filters) {
            all.add(clause(f, infos), BooleanClause.Occur.FILTER);
        }
        return all.build();
    }

    /** The attribute names the documents hold, sorted: what filters can name. */
    private static Set<String> names(FieldInfos infos) {
        Set<String> names = new TreeSet<>(List.of(FORMAT, UPLOADED));
        for (FieldInfo fi : infos) {
            if (fi.name.startsWith(TERM_PREFIX)) {
                names.add(fi.name.substring(TERM_PREFIX.length()));
            }
        }
        return names;
    }

    private static Query clause(Filter f, FieldInfos infos) {
        switch (f.field()) {
            case FORMAT -> {
                if (f.isRange()) {
                    throw new InvalidFilterException("filter '" + f + "': format takes one value (rplan or picture), not a range");
                }
                return new TermQuery(new Term(FORMAT_FIELD, f.value().toLowerCase(Locale.ROOT)));
            }
            case UPLOADED -> {
                if (!f.isRange()) {
                    long t = f.time(f.value());
                    return LongPoint.newExactQuery(UPLOADED_FIELD, t);
                }
                long from = f.from() == null ? Long.MIN_VALUE : f.time(f.from());
                long to = f.to() == null ? Long.MAX_VALUE : f.time(f.to());
                return LongPoint.newRangeQuery(UPLOADED_FIELD, from, to);
            }
            default -> {
                boolean known = infos.fieldInfo(TERM_PREFIX + f.field()) != null;
                boolean numeric = infos.fieldInfo(NUMBER_PREFIX + f.field()) != null;
                if (!known) {
                    Set<String> names = names(infos);
                    String listed = String.join(", ", names.stream().limit(MAX_LISTED).toList())
                            + (names.size() > MAX_LISTED ? ", ..." : "");
                    throw new InvalidFilterException("filter '" + f + "' names an unknown field '" + f.field()
                            + "'; the stored plans have: " + listed);
                }
                if (f.isRange()) {
                    if (!numeric) {
                        throw new InvalidFilterException("filter '" + f + "': '" + f.field() + "' holds no numbers, and a"
                                + " range needs numbers; filter it by one value instead");
                    }
                    double from = f.from() == null ? Double.NEGATIVE_INFINITY : f.number(f.from());
                    double to = f.to() == null ? Double.POSITIVE_INFINITY : f.number(f.to());
                    return DoublePoint.newRangeQuery(NUMBER_PREFIX + f.field(), from, to);
                }
                Query term = new TermQuery(new Term(TERM_PREFIX + f.field(), f.value()));
                Double number = number(f.value());
                if (!numeric || number == null) {
                    return term;
                }
                // 3 matches a stored 3 and a stored 3.0 alike
                return new BooleanQuery.Builder()
                        .add(term, BooleanClause.Occur.SHOULD)
                        .add(DoublePoint.newExactQuery(NUMBER_PREFIX + f.field(), number), BooleanClause.Occur.SHOULD)
                        .build();
            }
        }
    }

    /** The value as a finite number, or null when it is none. */
    private static Double number(String value) {
        if (value.isEmpty() || value.length() > 64) {
            return null;
        }
        char c = value.charAt(0);
        if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.')) {
            return null;
        }
        try {
            double d = Double.parseDouble(value);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
