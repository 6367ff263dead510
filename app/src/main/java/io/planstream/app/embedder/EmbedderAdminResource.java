package io.planstream.app.embedder;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.planstream.embedder.streams.EmbedderService;

/** {@code GET /admin/embedder}: which model versions the embedder runs, their state and lag. */
@Path("/admin/embedder")
@Produces(MediaType.APPLICATION_JSON)
public class EmbedderAdminResource {

    @Inject
    EmbedderRole role;

    /** The answer. */
    public record Status(boolean running, List<EmbedderService.VersionStatus> versions, long refusedArtifacts, String lastRefusal) {
    }

    @GET
    public Status status() {
        return new Status(role.running(), role.status(), role.refusedArtifacts(), role.lastRefusal());
    }
}
