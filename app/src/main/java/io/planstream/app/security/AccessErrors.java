package io.planstream.app.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.security.ForbiddenException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refusals of access in the JSON shape of every other error ({@code status}, {@code error},
 * {@code message}), with the reason: Quarkus answers them with an empty body otherwise.
 */
@ApplicationScoped
public class AccessErrors {

    /** Routing-context key under which the mechanism or the policy leaves the reason of a refusal. */
    static final String REASON = "planstream.access.reason";

    void install(@Observes Router router) {
        router.route().failureHandler(ctx -> {
            if (ctx.failure() instanceof ForbiddenException && !ctx.response().ended()) {
                send(ctx, 403, "forbidden", reason(ctx, "this key may not do that"));
            } else {
                ctx.next();
            }
        });
    }

    static String reason(RoutingContext ctx, String fallback) {
        Object r = ctx.get(REASON);
        return r == null ? fallback : r.toString();
    }

    static void send(RoutingContext ctx, int status, String code, String message) {
        if (ctx.response().ended()) {
            return;
        }
        String body = new JsonObject().put("status", status).put("error", code).put("message", message).encode();
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
}
