package io.planstream.app.index;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.planstream.index.service.IndexService;
import io.planstream.index.service.UnknownImageException;
import io.planstream.ingest.ImageId;

/** {@code GET /images/{id}/similar} and {@code GET /images/{id}/thumbnail}, beside the upload API's routes. */
@Path("/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageSearchResource {

    @Inject
    SearchSupport search;

    @GET
    @Path("{id}/similar")
    public SearchAnswer similar(@PathParam("id") String id, @QueryParam("k") String k, @QueryParam("numCandidates") String numCandidates) {
        ImageId.validate(id);
        int kk = search.k(k);
        int nc = search.numCandidates(numCandidates, kk);
        return SearchAnswer.of(search.query(() -> search.service().similar(id, kk, nc)), 0);
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
