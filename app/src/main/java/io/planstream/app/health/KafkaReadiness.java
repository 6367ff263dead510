package io.planstream.app.health;

import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.planstream.platform.KafkaPlatform;

/** Ready only while Kafka answers: an instance that cannot store uploads should not receive them. */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private static final long TIMEOUT_MS = 2_000;

    @Inject
    KafkaPlatform platform;

    private volatile Admin admin;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("kafka").withData("bootstrap.servers", platform.bootstrapServers())
                .withData("schema.registry.url", platform.schemaRegistryUrl());
        try {
            int nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT_MS)).nodes()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
            return builder.up().withData("nodes", nodes).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return builder.down().withData("error", "interrupted").build();
        } catch (Exception e) {
            return builder.down().withData("error", String.valueOf(e.getCause() != null ? e.getCause() : e)).build();
        }
    }

    private Admin admin() {
        Admin a = admin;
        if (a == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = Admin.create(platform.clientProperties());
                }
                a = admin;
            }
        }
        return a;
    }

    @PreDestroy
    void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
