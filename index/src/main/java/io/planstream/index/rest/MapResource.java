package io.planstream.index.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.planstream.index.catalog.CatalogEntry;
import io.planstream.index.lucene.VectorIndex;
import io.planstream.index.map.Projection;
import io.planstream.index.map.Tsne;
import io.planstream.index.service.IndexService;
import io.planstream.platform.http.BadRequestException;

/**
 * {@code GET /map?sample=2000&projection=pca}: a 2-D map of a uniform sample of the active version's indexed
 * images, for the web page's embedding map: their PCA projection, or ({@code projection=tsne}, at most
 * {@link Tsne#MAX_POINTS} images) a t-SNE map started from it. Coordinates are scaled to [0, 1] on each axis.
 */
@Path("/map")
@Produces(MediaType.APPLICATION_JSON)
public class MapResource {

    static final int DEFAULT_SAMPLE = 2000;
    static final int DEFAULT_TSNE_SAMPLE = 1000;
    /** The same sample for the same index, so the map does not jump between two loads. */
    static final long SEED = 42;

    /**
     * The answer: {@code total} images in the version, {@code points} the sample's; {@code explained} is the
     * share of the variance along each of the two principal axes (for t-SNE too, as a measure of the data).
     */
    public record MapAnswer(int modelVersion, String projection, int total, double[] explained, List<Point> points) {
    }

    public record Point(String id, double x, double y, String format, Map<String, String> metadata) {
    }

    @Inject
    SearchSupport search;

    @GET
    public MapAnswer map(@QueryParam("sample") String sample, @QueryParam("projection") String projection) {
        boolean tsne = parseProjection(projection);
        int n = sample == null || sample.isBlank() ? (tsne ? DEFAULT_TSNE_SAMPLE : DEFAULT_SAMPLE) : parseSample(sample);
        if (tsne && n > Tsne.MAX_POINTS) {
            throw new BadRequestException("invalid_query", "sample must be at most " + Tsne.MAX_POINTS + " for projection=tsne"
                    + " (exact t-SNE is quadratic in the points), got " + n);
        }
        IndexService s = search.service();
        IndexService.VectorSample vs = s.sample(n, SEED);
        List<VectorIndex.Stored> stored = vs.vectors();
        if (stored.isEmpty()) {
            return new MapAnswer(vs.modelVersion(), tsne ? "tsne" : "pca", vs.total(), new double[] {0, 0}, List.of());
        }
        Projection.Result p = Projection.pca(stored.stream().map(VectorIndex.Stored::vector).toList(), SEED);
        double[][] xy = tsne ? Tsne.embed(toDouble(stored), p.xy(), Tsne.DEFAULT_PERPLEXITY) : p.xy();
        double[] min = {Double.MAX_VALUE, Double.MAX_VALUE};
        double[] max = {-Double.MAX_VALUE, -Double.MAX_VALUE};
        for (double[] point : xy) {
            for (int a = 0; a < 2; a++) {
                min[a] = Math.min(min[a], point[a]);
                max[a] = Math.max(max[a], point[a]);
            }
        }
        List<Point> points = new ArrayList<>(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            String id = stored.get(i).id();
            CatalogEntry entry = s.catalogEntry(id).orElse(null);
            String format = entry == null || entry.format() == null ? null : entry.format().toLowerCase(java.util.Locale.ROOT);
            points.add(new Point(id, scale(xy[i][0], min[0], max[0]), scale(xy[i][1], min[1], max[1]), format,
                    entry == null ? Map.of() : entry.metadata()));
        }
        return new MapAnswer(vs.modelVersion(), tsne ? "tsne" : "pca", vs.total(), p.explained(), points);
    }

    private static double[][] toDouble(List<VectorIndex.Stored> stored) {
        double[][] out = new double[stored.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] v = stored.get(i).vector();
            out[i] = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                out[i][j] = v[j];
            }
        }
        return out;
    }

    private static boolean parseProjection(String projection) {
        if (projection == null || projection.isBlank() || projection.equals("pca")) {
            return false;
        }
        if (projection.equals("tsne")) {
            return true;
        }
        throw new BadRequestException("invalid_query", "projection must be 'pca' or 'tsne', got '" + SearchSupport.abbreviate(projection) + "'");
    }

    private static double scale(double v, double min, double max) {
        return max > min ? (v - min) / (max - min) : 0.5;
    }

    private static int parseSample(String s) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 1 && n <= VectorIndex.MAX_SAMPLE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequestException("invalid_query", "sample must be an integer between 1 and " + VectorIndex.MAX_SAMPLE
                + ", got '" + SearchSupport.abbreviate(s) + "'");
    }
}
