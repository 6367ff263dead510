package io.planstream.trainer.rest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.planstream.platform.http.ApiError;
import io.planstream.trainer.RoundResult;
import io.planstream.trainer.TrainerService;

/**
 * {@code GET /admin/trainer}: the training buffer, the round in progress and the past rounds with
 * their metrics and the gate's reasons; {@code POST /admin/trainer/rounds}: run a round now and
 * answer with its result (what {@code ./planstream train --once} calls).
 */
@Path("/admin/trainer")
@Produces(MediaType.APPLICATION_JSON)
public class TrainerResource {

    @Inject
    TrainerRuntime role;

    /** The answer of {@code GET}. */
    public record Status(TrainerService.Status status, List<RoundResult> rounds) {
    }

    /** The trainer does not run in this process, or not yet. */
    public static final class TrainerNotRunningException extends RuntimeException {
        TrainerNotRunningException(String reason) {
            super(reason);
        }
    }

    @GET
    public Status status() {
        TrainerService s = service();
        return new Status(s.status(), s.history());
    }

    @POST
    @Path("rounds")
    public RoundResult round() {
        return service().runRound("operator");
    }

    private TrainerService service() {
        return role.service().orElseThrow(() -> new TrainerNotRunningException(role.whyNotRunning()));
    }

    @ServerExceptionMapper
    public Response notRunning(TrainerNotRunningException e) {
        return Response.status(503).type(MediaType.APPLICATION_JSON).entity(new ApiError(503, "trainer_unavailable", e.getMessage())).build();
    }
}
