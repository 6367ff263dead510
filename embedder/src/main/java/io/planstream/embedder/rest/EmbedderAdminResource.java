package io.planstream.embedder.rest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.planstream.embedder.model.ForwardWorkers;
import io.planstream.embedder.streams.EmbedderService;

/** {@code GET /admin/embedder}: which model versions the embedder runs, their state and lag. */
@Path("/admin/embedder")
@Produces(MediaType.APPLICATION_JSON)
public class EmbedderAdminResource {

    @Inject
    EmbedderRuntime role;

    /** The answer. */
    public record Status(boolean running, List<EmbedderService.VersionStatus> versions, long refusedArtifacts, String lastRefusal,
                         Workers forwardWorkers) {
    }

    /** Forward workers per stream thread and the intra-op threads of each (0: PyTorch's default). */
    public record Workers(int workers, int intraOpThreads) {
    }

    @GET
    public Status status() {
        ForwardWorkers w = role.forwardWorkers();
        return new Status(role.running(), role.status(), role.refusedArtifacts(), role.lastRefusal(),
                w == null ? null : new Workers(w.count(), w.intraOpThreads()));
    }
}
