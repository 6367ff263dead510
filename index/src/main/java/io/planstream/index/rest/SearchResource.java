package io.planstream.index.rest;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.avro.ImageRecord;
import io.planstream.index.service.IndexService;
import io.planstream.index.service.SearchOptions;
import io.planstream.index.service.SearchResult;
import io.planstream.ingest.Upload;
import io.planstream.ingest.UploadService;
import io.planstream.platform.http.BadRequestException;

/**
 * The query API: neighbours of an uploaded picture and of a vector (the routes under {@code /images}
 * are in {@link ImageSearchResource}, those under {@code /models} in {@link ModelResource}). Parameters are checked as Elasticsearch checks a kNN search
 * ({@code 1 <= k <= numCandidates <= 10000}), and every refusal names the field.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {

    static final int MAX_DIMENSION = 4096;

    @Inject
    SearchSupport support;

    @Inject
    UploadService uploads;

    @Inject
    QueryEmbedder encoder;

    @Inject
    ObjectMapper json;

    /** Embeds the picture in the body with the active model version and searches that version. */
    @POST
    @Path("search")
    @Consumes(MediaType.WILDCARD)
    public SearchAnswer searchImage(byte[] body, @HeaderParam("Content-Type") String contentType,
                                    @Parameter(description = "hits per page, 1..10000 (default 10)") @QueryParam("k") String k, @Parameter(description = "candidates the HNSW graph gathers, k..10000 (default max(100, 1.5 k)); pages are slices of one list while numCandidates >= from + k") @QueryParam("numCandidates") String numCandidates,
                                    @Parameter(description = "rplan or picture (default: recognised from the bytes)") @QueryParam("format") String format, @Parameter(description = "hits to skip, for the next page (default 0); from + k <= 10000") @QueryParam("from") String from,
                                    @Parameter(description = "repeated, all must hold: key:value (rooms.bedroom:3, format:rplan) or key:[from TO to] inclusive, * for an open end (rooms.total:[3 TO 5], uploaded:[2026-12-01T00:00:00Z TO *]); any metadata key of a plan, numbers as ranges, words as exact terms") @QueryParam("filter") List<String> filters, @Parameter(description = "the lowest cosine score a hit may have, -1..1") @QueryParam("minScore") String minScore,
                                    @Parameter(description = "the modelVersion of the last answer the client had: never answered by a lower version (503 version_not_ready where this replica holds none ready yet)") @QueryParam("minVersion") String minVersion,
                                    @Parameter(description = "an upload's token: search once that upload is searchable on this replica (the answer's after says whether the wait timed out)") @QueryParam("after") String after,
                                    @Parameter(description = "longest wait with after: 250ms, 5s, or seconds (default 30s, at most 60s)") @QueryParam("timeout") String timeout) {
        SearchOptions options = support.options(k, numCandidates, from, filters, minScore, null, minVersion);
        IndexService s = support.service();
        ImageRecord record = uploads.toRecord(new Upload(body == null ? new byte[0] : body, contentType, null, format, "query", null, Map.of()));
        SearchAnswer.After waited = support.awaitAfter(after, timeout);
        long t0 = System.nanoTime();
        // The version is read once: the vector is embedded by the version that then answers, or, if the
        // active version changed in between, the query is embedded again by the new one.
        for (int attempt = 0; ; attempt++) {
            int version = support.query(() -> s.answeringVersion(options.minVersion()));
            float[] vector = encoder.embed(record, version, s.model(version).orElse(null));
            double embedMs = (System.nanoTime() - t0) / 1e6;
            SearchResult r = support.query(() -> s.search(vector, options));
            if (r.modelVersion() == version || attempt > 0) {
                return SearchAnswer.of(r, embedMs).withAfter(waited);
            }
        }
    }

    /**
     * Searches with a vector: a JSON array of numbers, or an object {@code {"vector": [...]}}, in the
     * active version or {@code version} (409 where that version is not served here, 400 where the
     * vector's dimension is not the version's).
     */
    @POST
    @Path("search/vector")
    @Consumes(MediaType.WILDCARD)
    public SearchAnswer searchVector(byte[] body, @Parameter(description = "hits per page, 1..10000 (default 10)") @QueryParam("k") String k, @Parameter(description = "candidates the HNSW graph gathers, k..10000 (default max(100, 1.5 k)); pages are slices of one list while numCandidates >= from + k") @QueryParam("numCandidates") String numCandidates,
                                     @Parameter(description = "hits to skip, for the next page (default 0); from + k <= 10000") @QueryParam("from") String from, @Parameter(description = "repeated, all must hold: key:value (rooms.bedroom:3, format:rplan) or key:[from TO to] inclusive, * for an open end (rooms.total:[3 TO 5], uploaded:[2026-12-01T00:00:00Z TO *]); any metadata key of a plan, numbers as ranges, words as exact terms") @QueryParam("filter") List<String> filters,
                                     @Parameter(description = "the lowest cosine score a hit may have, -1..1") @QueryParam("minScore") String minScore, @Parameter(description = "the model version to answer with (default the active one); 409 where this replica does not serve it") @QueryParam("version") String version,
                                     @Parameter(description = "the modelVersion of the last answer the client had: never answered by a lower version (503 version_not_ready where this replica holds none ready yet)") @QueryParam("minVersion") String minVersion,
                                     @Parameter(description = "an upload's token: search once that upload is searchable on this replica (the answer's after says whether the wait timed out)") @QueryParam("after") String after,
                                    @Parameter(description = "longest wait with after: 250ms, 5s, or seconds (default 30s, at most 60s)") @QueryParam("timeout") String timeout) {
        SearchOptions options = support.options(k, numCandidates, from, filters, minScore, version, minVersion);
        float[] vector = vector(body);
        SearchAnswer.After waited = support.awaitAfter(after, timeout);
        return SearchAnswer.of(support.query(() -> support.service().search(vector, options)), 0).withAfter(waited);
    }

    private float[] vector(byte[] body) {
        if (body == null || body.length == 0) {
            throw new BadRequestException("invalid_vector", "the body must be a JSON array of numbers or {\"vector\": [...]}, got nothing");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequestException("invalid_vector", "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestException("invalid_vector", "the body cannot be read: " + e.getMessage());
        }
        JsonNode array = root;
        if (root != null && root.isObject()) {
            for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!"vector".equals(name)) {
                    throw new BadRequestException("invalid_vector", "unknown field '" + SearchSupport.abbreviate(name) + "'; the object takes only 'vector'");
                }
            }
            array = root.get("vector");
        }
        if (array == null || !array.isArray()) {
            throw new BadRequestException("invalid_vector", "vector must be a JSON array of numbers");
        }
        if (array.isEmpty() || array.size() > MAX_DIMENSION) {
            throw new BadRequestException("invalid_vector", "vector must have 1.." + MAX_DIMENSION + " values, got " + array.size());
        }
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isNumber() || !Float.isFinite(v.floatValue())) {
                throw new BadRequestException("invalid_vector", "vector[" + i + "] must be a finite number, got " + SearchSupport.abbreviate(v.toString()));
            }
            out[i] = v.floatValue();
        }
        return out;
    }

}
