package io.planstream.ingest.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.planstream.ingest.ImageId;
import io.planstream.ingest.KafkaUnavailableException;
import io.planstream.ingest.UploadService;
import io.planstream.ingest.config.IngestConfig;
import io.planstream.ingest.image.InvalidImageException;
import io.planstream.platform.http.ApiError;
import io.planstream.platform.http.BadRequestException;

/** Turns the refusals of the upload path into JSON answers; resources never build error responses. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @Inject
    IngestConfig config;

    @ServerExceptionMapper
    public Response invalidImage(InvalidImageException e) {
        int status = switch (e.reason()) {
            case TOO_LARGE -> 413;
            case UNSUPPORTED_FORMAT -> 415;
            default -> 400;
        };
        return error(status, e.code(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response invalidId(ImageId.InvalidIdException e) {
        return error(400, "invalid_id", e.getMessage());
    }

    @ServerExceptionMapper
    public Response invalidMetadata(UploadService.InvalidMetadataException e) {
        return error(400, "invalid_metadata", e.getMessage());
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequestException e) {
        return error(400, e.code(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return error(404, "not_found", e.getMessage());
    }

    @ServerExceptionMapper
    public Response kafkaUnavailable(KafkaUnavailableException e) {
        LOG.warnf("upload refused, Kafka unavailable: %s", e.getMessage());
        return Response.status(503)
                .header("Retry-After", String.valueOf(config.retryAfterSeconds()))
                .type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(503, "kafka_unavailable", e.getMessage() + "; nothing was stored, retry later"))
                .build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
        return error(status, code, e.getMessage());
    }

    static Response error(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(status, code, message)).build();
    }
}
