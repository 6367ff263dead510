package io.planstream.app.security;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads an API key from {@code X-API-Key: KEY} or {@code Authorization: Bearer KEY}. A request
 * without one is anonymous (the access policy decides whether that is enough); a request with a
 * wrong one fails with 401, whatever the path. With security off, keys are ignored.
 */
@ApplicationScoped
public class ApiKeyMechanism implements HttpAuthenticationMechanism {

    public static final String HEADER = "X-API-Key";
    private static final String BEARER = "bearer ";
    private static final String CHALLENGE = "Bearer realm=\"planstream\"";

    @Inject
    AccessControl access;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext ctx, IdentityProviderManager identities) {
        if (!access.enabled()) {
            return Uni.createFrom().optional(Optional.empty());
        }
        String key = presentedKey(ctx.request());
        if (key == null) {
            return Uni.createFrom().optional(Optional.empty());
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(new ApiKeyAuthenticationRequest(key), ctx))
                .onFailure().invoke(e -> ctx.put(AccessErrors.REASON, "the API key is not valid"));
    }

    /** The key of {@code X-API-Key}, else of a Bearer authorization, else null. */
    static String presentedKey(HttpServerRequest request) {
        String header = request.getHeader(HEADER);
        if (header != null && !header.isBlank()) {
            return header.trim();
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.length() > BEARER.length()
                && authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return authorization.substring(BEARER.length()).trim();
        }
        return null;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext ctx) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    /** A 401 with the reason in the same JSON shape as every other error, instead of an empty body. */
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext ctx) {
        ctx.response().putHeader("WWW-Authenticate", CHALLENGE);
        AccessErrors.send(ctx, 401, "unauthorized", AccessErrors.reason(ctx,
                "this request needs an API key: send it as 'X-API-Key: KEY' or 'Authorization: Bearer KEY'"));
        return Uni.createFrom().item(true);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext ctx) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, HEADER));
    }
}
