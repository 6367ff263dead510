package io.planstream.app.config;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.planstream.ingest.config.IngestConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Bounds request bodies by path, before any byte of them is read: a model import may be as large as
 * {@code planstream.models.max-import-bytes}, every other body (uploads and query pictures) the upload
 * limit plus room for a multipart envelope.
 *
 * <p>Why here: Quarkus has one body limit for the whole server ({@code quarkus.http.limits.max-body-size}),
 * which must admit the largest import; left alone it would let a gigabyte through to the upload path,
 * which holds a body in memory. A body with a {@code Content-Length} over its path's limit is answered
 * 413 with the reason before Quarkus' own check; one without (chunked) gets its path's limit in place of
 * the server's, under the request key Quarkus' body readers honour.
 */
@ApplicationScoped
public class BodyLimits {

    /** The path of model imports; every other path gets the upload limit. */
    public static final String IMPORT_PATH = "/models/import";
    /** Room for the multipart form around an upload's bytes. */
    static final long MULTIPART_ENVELOPE = 2L << 20;
    /** Quarkus' routes check Content-Length at order -2; ours go just before and just after. */
    private static final int BEFORE_QUARKUS = -3;
    private static final int AFTER_QUARKUS = -1;
    /** Where Quarkus keeps the limit for a body without Content-Length (HttpServerCommonHandlers). */
    private static final String MAX_REQUEST_SIZE = "io.quarkus.max-request-size";

    private static final Logger LOG = Logger.getLogger(BodyLimits.class);

    @Inject
    ModelsConfig models;

    @Inject
    IngestConfig ingest;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> serverLimit;

    void install(@Observes Router router) {
        serverLimit.map(MemorySize::asLongValue).filter(cap -> cap < Math.max(models.maxImportBytes(), uploadLimit()))
                .ifPresent(cap -> LOG.warnf("quarkus.http.limits.max-body-size (%d bytes) is below planstream.models.max-import-bytes"
                        + " (%d) or the upload limit (%d): larger bodies are cut off without a reason", cap, models.maxImportBytes(),
                        uploadLimit()));
        router.route().order(BEFORE_QUARKUS).handler(this::refuseDeclaredTooLarge);
        router.route().order(AFTER_QUARKUS).handler(this::boundUndeclared);
    }

    /** The most bytes a body to {@code path} may have. */
    public long limit(String path) {
        return IMPORT_PATH.equals(path) ? models.maxImportBytes() : uploadLimit();
    }

    private long uploadLimit() {
        return ingest.maxBytes() + MULTIPART_ENVELOPE;
    }

    private void refuseDeclaredTooLarge(RoutingContext ctx) {
        String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long limit = limit(ctx.normalizedPath());
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                // Malformed: Netty's decoder and Quarkus answer it.
                ctx.next();
                return;
            }
            if (length > limit) {
                String what = IMPORT_PATH.equals(ctx.normalizedPath()) ? "planstream.models.max-import-bytes" : "the upload limit";
                String body = new JsonObject().put("status", 413).put("error", "too_large")
                        .put("message", "the body is " + length + " bytes, over the " + limit + " bytes of " + what).encode();
                // The body is not read, so the connection cannot carry another request.
                ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close").endHandler(done -> ctx.request().connection().close());
                ctx.response().end(body);
                return;
            }
        }
        ctx.next();
    }

    private void boundUndeclared(RoutingContext ctx) {
        if (ctx.get(MAX_REQUEST_SIZE) != null) {
            ctx.put(MAX_REQUEST_SIZE, limit(ctx.normalizedPath()));
        }
        ctx.next();
    }
}
