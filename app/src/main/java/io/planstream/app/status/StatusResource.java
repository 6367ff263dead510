package io.planstream.app.status;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.planstream.app.config.PlanstreamConfig;
import io.planstream.app.config.ProcessRole;
import io.planstream.app.embedder.EmbedderRole;
import io.planstream.app.index.IndexRole;
import io.planstream.app.trainer.TrainerRole;
import io.planstream.embedder.streams.EmbedderService;
import io.planstream.index.service.ClusterStatus;
import io.planstream.index.service.IndexService;
import io.planstream.index.service.IndexStatus;
import io.planstream.index.service.VersionStatus;
import io.planstream.ingest.catalog.ImageCatalog;
import io.planstream.models.ModelTarget;
import io.planstream.trainer.TrainerService;

/**
 * {@code GET /status}: the pipeline at a glance, for the web page's live panel and for people with curl:
 * what each role running in this process already reports ({@code /admin/embedder}, {@code /models},
 * {@code /admin/trainer}) in one answer, plus the dead-letter count. A role this process does not run
 * is null, so a page served by an index-only process still shows what it knows.
 */
@Path("/status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    /** The answer. {@code time} is when it was assembled. */
    public record Status(Instant time, List<String> roles, Ingest ingest, Embedder embedder, Index index, Trainer trainer,
                         DeadLetterCount.Snapshot deadLetters) {
    }

    /** @param images accepted images the images topic holds (one per id) */
    public record Ingest(int images) {
    }

    /** @param versions the embedder streams, newest first: each version's lag is images not embedded yet */
    public record Embedder(List<EmbedderService.VersionStatus> versions, long refusedArtifacts, String lastRefusal) {
    }

    /**
     * @param active  the version answering queries; null before any caught up
     * @param target  the version every role converges on (newest published or pinned); null before any was published
     * @param images  images in the index's catalog
     * @param refused embedding records the index refused
     * @param cluster this replica's view of the cluster's serving version and of every replica
     */
    public record Index(Integer active, Integer target, int images, long refused, List<VersionStatus> versions, ClusterStatus cluster) {
    }

    public record Trainer(TrainerService.Status status) {
    }

    @Inject
    PlanstreamConfig planstream;

    @Inject
    Instance<ImageCatalog> catalog;

    @Inject
    EmbedderRole embedder;

    @Inject
    IndexRole index;

    @Inject
    TrainerRole trainer;

    @Inject
    DeadLetterCount deadLetters;

    @GET
    public Status status() {
        List<String> roles = planstream.roles().stream().map(ProcessRole::id).toList();
        Ingest ingest = planstream.runs(ProcessRole.INGEST) && catalog.isResolvable() ? new Ingest(catalog.get().size()) : null;
        Embedder e = embedder.running() ? new Embedder(embedder.status(), embedder.refusedArtifacts(), embedder.lastRefusal()) : null;
        Index i = index.service().map(StatusResource::index).orElse(null);
        Trainer t = trainer.service().map(s -> new Trainer(s.status())).orElse(null);
        return new Status(Instant.now(), roles, ingest, e, i, t, deadLetters.read());
    }

    private static Index index(IndexService s) {
        IndexStatus st = s.status();
        OptionalInt target = ModelTarget.select(s.models());
        return new Index(st.active(), target.isPresent() ? target.getAsInt() : null, st.images(), s.refused(), st.versions(), s.cluster());
    }
}
