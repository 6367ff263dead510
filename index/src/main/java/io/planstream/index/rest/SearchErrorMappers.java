package io.planstream.index.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.planstream.index.service.NoActiveVersionException;
import io.planstream.index.service.UnknownImageException;
import io.planstream.index.service.VersionNotReadyException;
import io.planstream.index.service.VersionNotServedException;
import io.planstream.platform.http.ApiError;

/** Turns the refusals of the query path into JSON answers shaped like the upload API's. */
public class SearchErrorMappers {

    @ServerExceptionMapper
    public Response unknownImage(UnknownImageException e) {
        return error(404, e.accepted() ? "not_indexed_yet" : "not_found", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response versionNotServed(VersionNotServedException e) {
        return error(409, "version_not_served", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response versionNotReady(VersionNotReadyException e) {
        return error(503, "version_not_ready", e.getMessage(), "1");
    }

    @ServerExceptionMapper
    public Response noActiveVersion(NoActiveVersionException e) {
        return error(503, "index_not_ready", e.getMessage(), "1");
    }

    @ServerExceptionMapper
    public Response indexNotRunning(SearchSupport.IndexNotRunningException e) {
        return error(503, "index_unavailable", e.getMessage(), null);
    }

    private static Response error(int status, String code, String message, String retryAfter) {
        Response.ResponseBuilder b = Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(status, code, message));
        if (retryAfter != null) {
            b.header("Retry-After", retryAfter);
        }
        return b.build();
    }
}
