package io.planstream.index.rest;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import jakarta.ws.rs.core.Response;

import io.planstream.index.catalog.CatalogEntry;
import io.planstream.index.catalog.ImageCatalogIndex;
import io.planstream.index.service.IndexService;
import io.planstream.index.service.UnknownImageException;
import io.planstream.ingest.ImageId;
import io.planstream.platform.http.BadRequestException;

/**
 * The index's routes under {@code /images}, beside the upload API's: the listing, an image's
 * neighbours, its stored vector and its thumbnail.
 */
@Path("/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageSearchResource {

    @Inject
    SearchSupport search;

    /**
     * The neighbours of a stored image, the image itself excluded, in the active version (or
     * {@code version}); {@code filter} (repeated, all must hold), {@code from} and {@code minScore} as
     * in {@code POST /search}.
     */
    @GET
    @Path("{id}/similar")
    public SearchAnswer similar(@PathParam("id") String id, @Parameter(description = "hits per page, 1..10000 (default 10)") @QueryParam("k") String k,
                                @Parameter(description = "candidates the HNSW graph gathers, k..10000 (default max(100, 1.5 k)); pages are slices of one list while numCandidates >= from + k") @QueryParam("numCandidates") String numCandidates, @Parameter(description = "hits to skip, for the next page (default 0); from + k <= 10000") @QueryParam("from") String from,
                                @Parameter(description = "repeated, all must hold: key:value (rooms.bedroom:3, format:rplan) or key:[from TO to] inclusive, * for an open end (rooms.total:[3 TO 5], uploaded:[2026-12-01T00:00:00Z TO *]); any metadata key of a plan, numbers as ranges, words as exact terms") @QueryParam("filter") List<String> filters, @Parameter(description = "the lowest cosine score a hit may have, -1..1") @QueryParam("minScore") String minScore,
                                @Parameter(description = "the model version to answer with (default the active one); 409 where this replica does not serve it") @QueryParam("version") String version,
                                @Parameter(description = "the modelVersion of the last answer the client had: never answered by a lower version (503 version_not_ready where this replica holds none ready yet)") @QueryParam("minVersion") String minVersion,
                                @Parameter(description = "an upload's token: search once that upload is searchable on this replica (the answer's after says whether the wait timed out)") @QueryParam("after") String after,
                                    @Parameter(description = "longest wait with after: 250ms, 5s, or seconds (default 30s, at most 60s)") @QueryParam("timeout") String timeout) {
        ImageId.validate(id);
        var options = search.options(k, numCandidates, from, filters, minScore, version, minVersion);
        SearchAnswer.After waited = search.awaitAfter(after, timeout);
        return SearchAnswer.of(search.query(() -> search.service().similar(id, options)), 0).withAfter(waited);
    }

    /** An image's stored embedding (unit length) in the active version or {@code version}. */
    @GET
    @Path("{id}/vector")
    public Map<String, Object> vector(@PathParam("id") String id, @Parameter(description = "the model version to answer with (default the active one); 409 where this replica does not serve it") @QueryParam("version") String version,
                                      @Parameter(description = "the modelVersion of the last answer the client had: never answered by a lower version (503 version_not_ready where this replica holds none ready yet)") @QueryParam("minVersion") String minVersion) {
        ImageId.validate(id);
        Integer v = SearchSupport.optionalInteger("version", version);
        Integer mv = SearchSupport.optionalInteger("minVersion", minVersion);
        IndexService.StoredVector stored = search.service().vector(id, v, mv);
        return Map.of("id", stored.id(), "modelVersion", stored.modelVersion(), "dimension", stored.vector().length,
                "vector", stored.vector());
    }

    /** One listed image. */
    public record Listed(String id, String format, String filename, String source, int width, int height, String uploaded,
                         Map<String, String> metadata, boolean indexed, String thumbnail) {
    }

    /** A listing page: the images, the active version their {@code indexed} refers to, the next page's cursor. */
    public record Listing(Integer modelVersion, int count, List<Listed> images, String nextCursor) {
    }

    /**
     * The stored plans in upload order, {@code limit} (1..1000, default 100) at a time; {@code cursor}
     * is the previous page's {@code nextCursor}; {@code filter} as in searches.
     */
    @GET
    public Listing list(@Parameter(description = "images per page, 1..1000 (default 100)") @QueryParam("limit") String limit, @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
                        @Parameter(description = "repeated, all must hold: key:value (rooms.bedroom:3, format:rplan) or key:[from TO to] inclusive, * for an open end (rooms.total:[3 TO 5], uploaded:[2026-12-01T00:00:00Z TO *]); any metadata key of a plan, numbers as ranges, words as exact terms") @QueryParam("filter") List<String> filters) {
        int n = SearchSupport.integer("limit", limit, 100);
        if (n < 1 || n > ImageCatalogIndex.MAX_PAGE) {
            throw new io.planstream.platform.http.BadRequestException("invalid_query", "limit must be between 1 and "
                    + ImageCatalogIndex.MAX_PAGE + ", got " + n);
        }
        var parsed = search.filters(filters);
        String after = cursor == null || cursor.isBlank() ? null : cursor.trim();
        IndexService.ImagePage page = search.query(() -> search.service().list(parsed, n, after));
        List<Listed> images = page.images().stream().map(ImageSearchResource::listed).toList();
        return new Listing(page.activeVersion(), images.size(), images, page.nextCursor());
    }

    /** Upload times always carry their milliseconds, so that the listing's times sort as strings too. */
    static final DateTimeFormatter UPLOAD_TIME = new DateTimeFormatterBuilder()
            .appendInstant(3).toFormatter(Locale.ROOT);

    private static Listed listed(IndexService.ListedImage image) {
        CatalogEntry e = image.entry();
        return new Listed(e.id(), e.format() == null ? null : e.format().toLowerCase(Locale.ROOT), e.filename(), e.source(),
                e.width(), e.height(), UPLOAD_TIME.format(Instant.ofEpochMilli(e.uploadTime())), e.metadata(), image.indexed(),
                e.hasThumbnail() ? "/images/" + e.id() + "/thumbnail" : null);
    }

    @GET
    @Path("{id}/thumbnail")
    @Produces("image/png")
    public Response thumbnail(@PathParam("id") String id) {
        ImageId.validate(id);
        IndexService s = search.service();
        byte[] png = s.thumbnail(id).orElseThrow(() -> new UnknownImageException(s.catalogEntry(id).isPresent()
                ? "image '" + id + "' has no thumbnail (its picture could not be decoded)" : "no image with id '" + id + "'", false));
        return Response.ok(png, "image/png").header("Cache-Control", "max-age=3600").build();
    }
}
