package io.planstream.ingest.rest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;

import io.planstream.ingest.Accepted;
import io.planstream.ingest.ImageId;
import io.planstream.ingest.Upload;
import io.planstream.ingest.UploadService;
import io.planstream.ingest.catalog.ImageCatalog;
import io.planstream.ingest.catalog.ImageSummary;
import io.planstream.ingest.catalog.IndexProgress;
import io.planstream.ingest.config.IngestConfig;
import io.planstream.ingest.image.InvalidImageException;
import io.planstream.platform.UploadToken;
import io.planstream.platform.http.AfterToken;
import io.planstream.platform.http.BadRequestException;
import io.planstream.platform.http.WaitTimeout;

/**
 * The upload API. {@code POST /images} takes a raw image body or a multipart form and answers 202 once
 * Kafka acknowledged the record; {@code GET /images/{id}} says what is known of an image.
 */
@Path("/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageResource {

    /** Query parameters (raw body) and form fields (multipart) that are not metadata. */
    static final String ID = "id";
    static final String FORMAT = "format";
    static final String SOURCE = "source";
    static final String FILENAME = "filename";
    static final String FILE = "file";
    /** Query parameters {@code meta.KEY=VALUE} carry metadata with a raw body. */
    static final String META_PREFIX = "meta.";
    /** The one stage {@code GET /images/{id}?waitFor=} waits for. */
    static final String WAIT_FOR_SEARCHABLE = "searchable";

    @Inject
    UploadService uploads;

    @Inject
    ImageCatalog catalog;

    @Inject
    IngestConfig config;

    @Inject
    jakarta.enterprise.inject.Instance<IndexProgress> progress;

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response upload(byte[] body, @HeaderParam("Content-Type") String contentType, @Context UriInfo uri) {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        Map<String, String> metadata = new HashMap<>();
        for (Map.Entry<String, java.util.List<String>> e : query.entrySet()) {
            if (e.getKey().startsWith(META_PREFIX) && !e.getValue().isEmpty()) {
                metadata.put(e.getKey().substring(META_PREFIX.length()), e.getValue().get(0));
            }
        }
        Upload upload = new Upload(body, contentType, query.getFirst(ID), query.getFirst(FORMAT),
                orDefault(query.getFirst(SOURCE), "http"), query.getFirst(FILENAME), metadata);
        return accepted(uploads.accept(upload), uri);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response uploadForm(MultipartFormDataInput form, @Context UriInfo uri) {
        Map<String, Collection<FormValue>> values = form.getValues();
        Collection<FormValue> files = values.get(FILE);
        if (files == null || files.isEmpty()) {
            throw new InvalidImageException(InvalidImageException.Reason.EMPTY_BODY,
                    "multipart upload has no '" + FILE + "' part");
        }
        if (files.size() > 1) {
            throw new BadRequestException("too_many_files", "multipart upload has " + files.size()
                    + " '" + FILE + "' parts; upload one image per request");
        }
        FormValue file = files.iterator().next();
        if (!file.isFileItem()) {
            throw new BadRequestException("invalid_form", "the '" + FILE + "' part must be a file, not a text field");
        }
        byte[] bytes = readFile(file);
        String partType = file.getHeaders() == null ? null : file.getHeaders().getFirst("Content-Type");
        Map<String, String> metadata = new HashMap<>();
        String id = null;
        String format = null;
        String source = "http";
        for (Map.Entry<String, Collection<FormValue>> e : values.entrySet()) {
            String name = e.getKey();
            if (FILE.equals(name) || e.getValue().isEmpty()) {
                continue;
            }
            FormValue v = e.getValue().iterator().next();
            if (v.isFileItem()) {
                throw new BadRequestException("invalid_form", "form field '" + name + "' must be text, not a file");
            }
            switch (name) {
                case ID -> id = v.getValue();
                case FORMAT -> format = v.getValue();
                case SOURCE -> source = v.getValue();
                default -> metadata.put(name.startsWith(META_PREFIX) ? name.substring(META_PREFIX.length()) : name, v.getValue());
            }
        }
        Upload upload = new Upload(bytes, partType, id, format, source, file.getFileName(), metadata);
        return accepted(uploads.accept(upload), uri);
    }

    /**
     * Deletes an image: a tombstone on the images topic. This process answers 404 for it at once; the
     * index, the thumbnails, the map and the trainer's buffer drop it as they read the tombstone.
     */
    @DELETE
    @Path("/{id}")
    public Map<String, Object> delete(@PathParam("id") String id) {
        UploadService.Deleted d;
        try {
            d = uploads.delete(id);
        } catch (UploadService.UnknownImageException e) {
            throw new NotFoundException(e.getMessage());
        }
        return Map.of("id", d.id(), "deleted", true, "partition", d.partition(), "offset", d.offset());
    }

    /**
     * What is known of an image. With {@code waitFor=searchable} the answer waits (without holding a
     * thread) until the image is searchable in the active model version, at most {@code timeout}, and says
     * whether the wait ended that way or timed out: a client learns the moment its upload can be found.
     * With {@code after=TOKEN} (an upload's {@code token}) it waits in the same way until that upload's
     * position is searchable here: read-your-writes on whichever replica answers.
     */
    @GET
    @Path("/{id}")
    public CompletionStage<ImageStatus> get(@PathParam("id") String id,
                                            @Parameter(description = "searchable: answer once the image is searchable in the active model version (or at the timeout)")
                                            @QueryParam("waitFor") String waitFor,
                                            @Parameter(description = "an upload's token: answer once that upload is searchable on this replica (or at the timeout)")
                                            @QueryParam("after") String after,
                                            @Parameter(description = "longest wait with waitFor or after: 250ms, 5s, or seconds (default 30s, at most 60s)")
                                            @QueryParam("timeout") String timeout) {
        ImageId.validate(id);
        boolean waitsForImage = waitFor != null && !waitFor.isBlank();
        boolean waitsForToken = after != null && !after.isBlank();
        if (!waitsForImage && !waitsForToken) {
            if (timeout != null && !timeout.isBlank()) {
                throw new BadRequestException("invalid_query", "timeout applies only with waitFor=searchable or after=TOKEN");
            }
            return CompletableFuture.completedFuture(status(id, null));
        }
        if (waitsForImage && waitsForToken) {
            throw new BadRequestException("invalid_query", "waitFor and after wait for different things; pass one of them");
        }
        if (waitsForImage && !WAIT_FOR_SEARCHABLE.equals(waitFor.trim())) {
            throw new BadRequestException("invalid_query", "waitFor must be '" + WAIT_FOR_SEARCHABLE + "', got '" + waitFor + "'");
        }
        UploadToken token = waitsForToken ? AfterToken.parse(after) : null;
        Duration limit = WaitTimeout.parse(timeout);
        if (catalog.find(id).isEmpty()) {
            throw new NotFoundException("no image with id '" + id + "'");
        }
        String what = waitsForImage ? "waitFor=searchable" : "after=TOKEN";
        Optional<CompletionStage<Boolean>> started = !progress.isResolvable() ? Optional.empty()
                : waitsForImage ? progress.get().awaitSearchable(id, limit) : progress.get().awaitToken(token, limit);
        CompletionStage<Boolean> wait = started.orElseThrow(() -> new BadRequestException("invalid_query",
                what + " needs a server that runs the index role; this one does not"));
        long t0 = System.nanoTime();
        String stage = waitsForImage ? WAIT_FOR_SEARCHABLE : "after " + token;
        return wait.thenApply(found -> status(id, new ImageStatus.Wait(stage, !found, (System.nanoTime() - t0) / 1_000_000)));
    }

    private ImageStatus status(String id, ImageStatus.Wait wait) {
        ImageSummary summary = catalog.find(id).orElseThrow(() -> new NotFoundException("no image with id '" + id + "'"));
        return ImageStatus.of(summary, progress.isResolvable() ? progress.get().versions(id) : java.util.List.of(), wait);
    }

    private byte[] readFile(FormValue file) {
        try {
            var item = file.getFileItem();
            long size = item.getFileSize();
            if (size > config.maxBytes()) {
                throw new InvalidImageException(InvalidImageException.Reason.TOO_LARGE,
                        "upload is " + size + " bytes, the limit is " + config.maxBytes());
            }
            try (var in = item.getInputStream()) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded file part", e);
        }
    }

    private static Response accepted(Accepted a, UriInfo uri) {
        URI location = uri.getBaseUriBuilder().path("images").path(a.id()).build();
        return Response.accepted(new UploadAnswer(a.id(), a.format().toLowerCase(Locale.ROOT), a.width(), a.height(), "accepted",
                        new UploadToken(a.partition(), a.offset()).toString()))
                .location(location)
                .build();
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    /**
     * The answer to an accepted upload; {@code token} is its position in Kafka, which a search's or a status's
     * {@code after} waits for ({@link UploadToken}).
     */
    public record UploadAnswer(String id, String format, int width, int height, String status, String token) {
    }
}
