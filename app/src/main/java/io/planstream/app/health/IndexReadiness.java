package io.planstream.app.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.planstream.index.rest.IndexRuntime;
import io.planstream.index.service.ClusterStatus;
import io.planstream.index.service.IndexService;

/**
 * Ready only while this index replica answers with the cluster's serving version: a replica that starts
 * empty, or was down during a switch, gets no queries behind the Service until it has caught up from Kafka.
 * Up where the index role does not run here, and before the cluster's first switch (nothing to catch up to).
 */
@Readiness
@ApplicationScoped
public class IndexReadiness implements HealthCheck {

    @Inject
    IndexRuntime index;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("index");
        IndexService s = index.service().orElse(null);
        if (s == null) {
            return builder.up().withData("role", "not running here").build();
        }
        ClusterStatus c = s.cluster();
        builder.withData("replica", c.replica());
        if (c.servingVersion() != null) {
            builder.withData("servingVersion", c.servingVersion());
        }
        s.activeVersion().ifPresent(v -> builder.withData("answersWith", v));
        return c.ready() ? builder.up().build() : builder.down().withData("reason",
                "catching up with model version " + c.servingVersion() + ", which the cluster serves").build();
    }
}
