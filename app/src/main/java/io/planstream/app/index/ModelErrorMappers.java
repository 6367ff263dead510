package io.planstream.app.index;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.planstream.platform.http.ApiError;

/** The refusals of the model routes ({@code /models}) as JSON answers. */
public class ModelErrorMappers {

    @ServerExceptionMapper
    public Response unknownModel(UnknownModelException e) {
        return error(404, "unknown_model", e.getMessage());
    }

    @ServerExceptionMapper
    public Response importRefused(ModelImportException e) {
        return error(e.status(), e.code(), e.getMessage());
    }

    private static Response error(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(status, code, message)).build();
    }
}
