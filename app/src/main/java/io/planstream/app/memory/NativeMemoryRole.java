package io.planstream.app.memory;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.planstream.app.config.PlanstreamConfig;
import io.planstream.simclr.NativeMemoryTrimmer;
import io.planstream.simclr.ResidentMemory;
import io.quarkus.runtime.StartupEvent;

/**
 * Keeps the process's resident memory near what it uses: trims glibc's arenas every
 * {@code planstream.native-trim-interval} and publishes the resident set and what the trims handed back.
 */
@ApplicationScoped
public class NativeMemoryRole {

    private static final Logger LOG = Logger.getLogger(NativeMemoryRole.class);

    @Inject
    PlanstreamConfig config;

    @Inject
    MeterRegistry metrics;

    private volatile NativeMemoryTrimmer trimmer;

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("planstream.process.resident.memory", ResidentMemory::megabytes).baseUnit("megabytes")
                .description("resident set of this process (heap, native allocations, mapped files)").register(metrics);
        if (config.nativeTrimInterval().isZero()) {
            LOG.info("native memory trimming is off (planstream.native-trim-interval=0s)");
            return;
        }
        NativeMemoryTrimmer.start(config.nativeTrimInterval()).ifPresent(t -> {
            trimmer = t;
            FunctionCounter.builder("planstream.native.trimmed", t, NativeMemoryTrimmer::returnedMb).baseUnit("megabytes")
                    .description("resident memory the allocator trims handed back to the system").register(metrics);
            LOG.infof("native memory trimmed every %s", config.nativeTrimInterval());
        });
    }

    /** The running trimmer, or null where trimming is off or the C library has none. */
    public NativeMemoryTrimmer trimmer() {
        return trimmer;
    }

    @PreDestroy
    void stop() {
        NativeMemoryTrimmer t = trimmer;
        if (t != null) {
            t.close();
        }
    }
}
