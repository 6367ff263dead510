package io.planstream.simclr.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * What is done to an encoder's representation h before it is served, fitted on the features of the model's own
 * training images: {@code y = (h - mean) W}, then L2-normalised by whoever serves it.
 *
 * <p>A ResNet's h comes after a ReLU and an average pool: every feature is at least 0, so every pair of plans has a
 * cosine near 1 and a score threshold means nothing. Taking away the mean of the training features puts the typical
 * plan at the origin, so that unrelated plans score near 0 and related ones high ({@link Kind#CENTRE}). {@link
 * Kind#WHITEN} also scales every principal direction of the training features to the same variance (ZCA whitening:
 * {@code W = U diag(1 / sqrt(lambda + shrinkage * mean(lambda))) U^T}), with a shrinkage that keeps directions of
 * almost no variance from being blown up into noise.
 *
 * <p>An artifact carries one as {@value #FILE}, written before its manifest; an artifact without the file serves h
 * as it is. The eigen decomposition is commons-math's.
 *
 * @param kind centre or whiten
 * @param dim length of h and of y
 * @param mean the mean of the training features, {@code dim} values
 * @param matrix {@code W} row-major ({@code dim x dim}, {@code y_j = sum_i (h_i - mean_i) W_ij}); null for centre
 * @param shrinkage the relative shrinkage of the eigenvalues; 0 for centre
 * @param fittedOn how many feature vectors it was fitted on
 * @param fittedData what those were, in words
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EmbeddingTransform(Kind kind, int dim, float[] mean, float[] matrix, double shrinkage, int fittedOn,
                                 String fittedData) {

    /** The file of an artifact that holds its transform. */
    public static final String FILE = "embedding-transform.json";

    /** The shrinkage of {@code whiten} when none is named. */
    public static final double DEFAULT_SHRINKAGE = 0.1;

    /** Fewest feature vectors a transform is fitted on: a mean of a handful of plans is mostly noise. */
    public static final int MIN_ROWS = 2;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** The transforms there are. */
    public enum Kind {
        /** {@code y = h - mean}. */
        CENTRE,
        /** {@code y = (h - mean) W}, ZCA whitening with shrinkage. */
        WHITEN;

        /** @return the name on the command line and in the file */
        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id().equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown embedding transform '" + id + "': raw, centre or whiten");
        }
    }

    /**
     * Which transform to fit: {@code raw} (none), {@code centre}, {@code whiten} or {@code whiten:SHRINKAGE}.
     *
     * @param kind the transform; null for raw
     * @param shrinkage whiten's relative shrinkage (0 otherwise)
     */
    public record Spec(Kind kind, double shrinkage) {

        public static final String RAW = "raw";

        /** What a model is served with unless told otherwise: the measured best on floor plans (docs/RESULTS.md). */
        public static final Spec DEFAULT = new Spec(Kind.CENTRE, 0);

        public Spec {
            if (!(shrinkage >= 0) || !Double.isFinite(shrinkage)) {
                throw new IllegalArgumentException("the shrinkage must be finite and >= 0, got " + shrinkage);
            }
            if (kind != Kind.WHITEN && shrinkage != 0) {
                throw new IllegalArgumentException("only whiten takes a shrinkage");
            }
        }

        /** @throws IllegalArgumentException naming what is wrong with {@code text} */
        public static Spec parse(String text) {
            if (text == null || text.equals(RAW)) {
                return new Spec(null, 0);
            }
            String[] parts = text.split(":", 2);
            Kind kind = Kind.of(parts[0]);
            if (parts.length == 1) {
                return new Spec(kind, kind == Kind.WHITEN ? DEFAULT_SHRINKAGE : 0);
            }
            if (kind != Kind.WHITEN) {
                throw new IllegalArgumentException("only whiten takes a shrinkage, got '" + text + "'");
            }
            try {
                return new Spec(kind, Double.parseDouble(parts[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the shrinkage of '" + text + "' is not a number");
            }
        }

        /** @return whether this fits nothing */
        public boolean raw() {
            return kind == null;
        }

        /** Fits this transform on {@code rows}; null for raw. */
        public EmbeddingTransform fit(float[] rows, int dim, String data) {
            return raw() ? null : EmbeddingTransform.fit(kind, rows, dim, shrinkage, data);
        }

        @Override
        public String toString() {
            return raw() ? RAW : kind == Kind.WHITEN ? kind.id() + ":" + shrinkage : kind.id();
        }
    }

    public EmbeddingTransform {
        if (kind == null) {
            throw new IllegalArgumentException("kind must be centre or whiten");
        }
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (mean == null || mean.length != dim) {
            throw new IllegalArgumentException("mean must hold dim = " + dim + " values, got "
                    + (mean == null ? "none" : mean.length));
        }
        if (kind == Kind.CENTRE && matrix != null) {
            throw new IllegalArgumentException("a centre transform has no matrix");
        }
        if (kind == Kind.WHITEN && (matrix == null || matrix.length != dim * dim)) {
            throw new IllegalArgumentException("a whiten transform needs a dim x dim = " + dim * dim + " matrix, got "
                    + (matrix == null ? "none" : matrix.length));
        }
        if (!(shrinkage >= 0) || !Double.isFinite(shrinkage)) {
            throw new IllegalArgumentException("shrinkage must be finite and >= 0, got " + shrinkage);
        }
        if (fittedOn < MIN_ROWS) {
            throw new IllegalArgumentException("fitted on " + fittedOn + " rows; need at least " + MIN_ROWS);
        }
        requireFinite("mean", mean);
        if (matrix != null) {
            requireFinite("matrix", matrix);
        }
    }

    /**
     * Fits a transform on feature rows.
     *
     * @param kind centre or whiten
     * @param rows {@code n * dim} floats, row after row
     * @param dim the length of a row
     * @param shrinkage for whiten, added to every eigenvalue as a fraction of their mean (ignored for centre)
     * @param data what the rows are, in words
     */
    public static EmbeddingTransform fit(Kind kind, float[] rows, int dim, double shrinkage, String data) {
        if (dim < 1 || rows.length % dim != 0) {
            throw new IllegalArgumentException(rows.length + " values are not whole rows of " + dim);
        }
        int n = rows.length / dim;
        if (n < MIN_ROWS) {
            throw new IllegalArgumentException("an embedding transform needs at least " + MIN_ROWS + " rows, got " + n);
        }
        double[] sum = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                sum[j] += rows[i * dim + j];
            }
        }
        float[] mean = new float[dim];
        for (int j = 0; j < dim; j++) {
            mean[j] = (float) (sum[j] / n);
        }
        if (kind == Kind.CENTRE) {
            return new EmbeddingTransform(kind, dim, mean, null, 0, n, data);
        }
        double[][] cov = new double[dim][dim];
        double[] c = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                c[j] = rows[i * dim + j] - mean[j];
            }
            for (int a = 0; a < dim; a++) {
                double ca = c[a];
                double[] row = cov[a];
                for (int b = a; b < dim; b++) {
                    row[b] += ca * c[b];
                }
            }
        }
        for (int a = 0; a < dim; a++) {
            for (int b = a; b < dim; b++) {
                cov[a][b] /= n;
                cov[b][a] = cov[a][b];
            }
        }
        EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
        double[] lambda = eigen.getRealEigenvalues();
        double meanLambda = 0;
        for (double l : lambda) {
            meanLambda += Math.max(l, 0);
        }
        meanLambda /= dim;
        // Every feature constant on the training rows: nothing to scale, and the centring alone remains.
        double floor = Math.max(shrinkage * meanLambda, 1e-12);
        RealMatrix u = eigen.getV();
        float[] w = new float[dim * dim];
        for (int a = 0; a < dim; a++) {
            for (int b = 0; b < dim; b++) {
                double s = 0;
                for (int k = 0; k < dim; k++) {
                    s += u.getEntry(a, k) * u.getEntry(b, k) / Math.sqrt(Math.max(lambda[k], 0) + floor);
                }
                w[a * dim + b] = (float) s;
            }
        }
        return new EmbeddingTransform(kind, dim, mean, w, shrinkage, n, data);
    }

    /**
     * @param rows {@code n * dim} floats, row after row; not changed
     * @return the transformed rows (not normalised)
     */
    public float[] apply(float[] rows) {
        if (rows.length % dim != 0) {
            throw new IllegalArgumentException(rows.length + " values are not whole rows of " + dim);
        }
        int n = rows.length / dim;
        float[] out = new float[rows.length];
        float[] c = new float[dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                c[j] = rows[i * dim + j] - mean[j];
            }
            if (matrix == null) {
                System.arraycopy(c, 0, out, i * dim, dim);
                continue;
            }
            for (int a = 0; a < dim; a++) {
                float ca = c[a];
                int base = a * dim;
                for (int b = 0; b < dim; b++) {
                    out[i * dim + b] += ca * matrix[base + b];
                }
            }
        }
        return out;
    }

    /** @return what it is, for logs and results: {@code centre}, {@code whiten (shrinkage 0.1)} */
    public String description() {
        return kind == Kind.CENTRE ? kind.id()
                : String.format(Locale.ROOT, "%s (shrinkage %s)", kind.id(), shrinkage);
    }

    /** Writes it as {@value #FILE} into the artifact directory {@code dir}, replacing any. */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeJson(JSON, dir.resolve(FILE), this);
    }

    /**
     * Reads an artifact's transform.
     *
     * @return the transform, or null where the artifact has none
     * @throws ArtifactException if the file is there but malformed, or does not fit {@code dim}
     */
    public static EmbeddingTransform read(Path dir, int dim) throws ArtifactException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        EmbeddingTransform t;
        try {
            t = JSON.readValue(file.toFile(), EmbeddingTransform.class);
        } catch (JsonProcessingException e) {
            throw new ArtifactException(FILE + " in " + dir + " is not a valid embedding transform: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ArtifactException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (t.dim() != dim) {
            throw new ArtifactException(FILE + " in " + dir + " transforms " + t.dim()
                    + "-dimensional features but the encoder gives " + dim);
        }
        return t;
    }

    private static void requireFinite(String name, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + values[i]);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmbeddingTransform t && kind == t.kind && dim == t.dim && Arrays.equals(mean, t.mean)
                && Arrays.equals(matrix, t.matrix) && Double.compare(shrinkage, t.shrinkage) == 0
                && fittedOn == t.fittedOn && java.util.Objects.equals(fittedData, t.fittedData);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(mean) + Arrays.hashCode(matrix)) + kind.hashCode();
    }

    @Override
    public String toString() {
        return "EmbeddingTransform[" + description() + ", dim=" + dim + ", fittedOn=" + fittedOn + "]";
    }
}
