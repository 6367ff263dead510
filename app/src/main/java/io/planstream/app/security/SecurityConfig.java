package io.planstream.app.security;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Who may do what over HTTP. Off by default: the one-machine default binds to loopback, where only
 * the local user can reach it. A process that listens beyond loopback refuses to start with
 * security off unless {@link #allowOpenNetwork()} says that is intended (a trusted network, a
 * gateway that authenticates in front).
 */
@ConfigMapping(prefix = "planstream.security")
public interface SecurityConfig {

    /** Require an API key on every endpoint but the health probes, the metrics and the page's own files. */
    @WithDefault("false")
    boolean enabled();

    /** With security on, leave the read-only endpoints (search, image status, thumbnails, models list, map, status) open. */
    @WithName("public-search")
    @WithDefault("false")
    boolean publicSearch();

    /** Start with security off on an address other than loopback; without it such a start-up fails. */
    @WithName("allow-open-network")
    @WithDefault("false")
    boolean allowOpenNetwork();

    /**
     * A file of keys, one per line: {@code NAME SHA256 ROLE[,ROLE...]} ({@code #} starts a comment).
     * Meant for a mounted secret; read at start-up, next to {@link #apiKeys()}.
     */
    @WithName("api-keys-file")
    Optional<java.nio.file.Path> apiKeysFile();

    /** The keys, by name: {@code planstream.security.api-keys.NAME.sha256} and {@code .roles}. */
    @WithName("api-keys")
    Map<String, ApiKey> apiKeys();

    /** One key: the SHA-256 of its secret (so the configuration does not hold the secret) and its roles. */
    interface ApiKey {
        /** Hex SHA-256 of the key as the client sends it; {@code ./planstream key create} prints it. */
        String sha256();

        /** Any of {@code search}, {@code upload}, {@code admin}. */
        @WithDefault("search")
        List<String> roles();

        /** Turn a key off without deleting it. */
        @WithDefault("true")
        boolean enabled();

        /** For the log: who holds the key. */
        Optional<String> description();
    }
}
