package io.planstream.app.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the model API: imports of encoders trained elsewhere. */
@ConfigMapping(prefix = "planstream.models")
public interface ModelsConfig {

    /**
     * Largest TorchScript file {@code POST /models/import} takes, in bytes (1 GiB: a ResNet-50 is about 100 MB).
     * The server's hard cap on any body, {@code quarkus.http.limits.max-body-size}, follows it.
     */
    @WithDefault("1073741824")
    long maxImportBytes();
}
