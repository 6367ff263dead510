package io.planstream.app.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP permission of every path ({@code quarkus.http.auth.permission.planstream}): permits what
 * {@link AccessControl#needed} leaves open, else the identity must hold a role that grants the one
 * needed. The reason of a refusal goes to {@link AccessErrors} through the routing context.
 */
@ApplicationScoped
public class AccessPolicy implements HttpSecurityPolicy {

    public static final String NAME = "planstream";

    @Inject
    AccessControl access;

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext ctx, Uni<SecurityIdentity> identity, AuthorizationRequestContext requests) {
        String method = ctx.request().method().name();
        String path = ctx.normalizedPath();
        Optional<Role> needed = access.needed(method, path);
        if (needed.isEmpty()) {
            return Uni.createFrom().item(CheckResult.PERMIT);
        }
        Role role = needed.get();
        return identity.map(id -> {
            if (id.isAnonymous()) {
                ctx.put(AccessErrors.REASON, method + " " + path + " needs an API key with the '" + role.id()
                        + "' role: send it as 'X-API-Key: KEY' or 'Authorization: Bearer KEY'");
                return CheckResult.DENY;
            }
            boolean granted = id.getRoles().stream().anyMatch(r -> grants(r, role));
            if (!granted) {
                ctx.put(AccessErrors.REASON, "key '" + id.getPrincipal().getName() + "' has the role(s) " + id.getRoles()
                        + "; " + method + " " + path + " needs '" + role.id() + "'");
            }
            return granted ? CheckResult.PERMIT : CheckResult.DENY;
        });
    }

    private static boolean grants(String held, Role needed) {
        try {
            return Role.parse(held).grants(needed);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return NAME;
    }
}
