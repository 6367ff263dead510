package io.planstream.app.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Which requests need which {@link Role}, and the start-up checks: security on needs at least one
 * key; security off beyond loopback needs an explicit {@code allow-open-network}.
 *
 * <p>Always open: the health probes, the Prometheus metrics (counts only, scraped from inside the
 * cluster) and the web page's own files (the page holds no data; its calls to the API carry a key).
 */
@Singleton
public class AccessControl {

    private static final Logger LOG = Logger.getLogger(AccessControl.class);
    private static final Set<String> PAGE_FILES = Set.of("/", "/index.html", "/style.css", "/app.js", "/favicon.ico");
    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    SecurityConfig config;

    @ConfigProperty(name = "quarkus.http.host", defaultValue = "127.0.0.1")
    String host;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int port;

    private volatile ApiKeys keys;

    void onStart(@Observes StartupEvent event) {
        keys();
        boolean loopback = isLoopback(host);
        if (config.enabled()) {
            if (keys.size() == 0) {
                throw new IllegalStateException("planstream.security.enabled is true but no API key is configured: create one with"
                        + " './planstream key create --name NAME --roles upload' and add its line to planstream.security.api-keys-file"
                        + " (or set planstream.security.api-keys.NAME.sha256 and .roles)");
            }
            LOG.infof("Access control on: %d API key(s); read-only endpoints %s", keys.size(),
                    config.publicSearch() ? "open to all (planstream.security.public-search)" : "need a key");
        } else if (!loopback && !config.allowOpenNetwork()) {
            throw new IllegalStateException("quarkus.http.host is " + host + ", beyond loopback, and access control is off: anyone who can"
                    + " reach the port could upload and administer. Enable it (planstream.security.enabled=true with API keys from"
                    + " './planstream key create') or, on a trusted network, set planstream.security.allow-open-network=true");
        } else if (loopback) {
            LOG.info(loopbackNotice());
        } else {
            LOG.warnf("Access control is OFF on %s:%d (planstream.security.allow-open-network=true): every client may upload and administer",
                    host, port);
        }
    }

    /** What the one-machine default says at start-up: who can reach it, and how to let others in. */
    String loopbackNotice() {
        return String.format("Listening on %s:%d only (loopback): nobody else can reach it. To serve others, create a key with"
                + " './planstream key create --name NAME --roles upload', set planstream.security.enabled=true and"
                + " planstream.security.api-keys-file, and quarkus.http.host=0.0.0.0", host, port);
    }

        public boolean enabled() {
        return config.enabled();
    }

    /** The configured keys, read once. */
    public ApiKeys keys() {
        ApiKeys k = keys;
        if (k == null) {
            synchronized (this) {
                if (keys == null) {
                    List<ApiKeys.Key> fromFile = config.apiKeysFile().map(ApiKeys::parseFile).orElse(List.of());
                    keys = ApiKeys.from(config.apiKeys(), fromFile);
                }
                k = keys;
            }
        }
        return k;
    }

    /** The role a request needs, or empty when it may pass without a key. */
    public Optional<Role> needed(String method, String path) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        Role role = required(method, path);
        if (role == null || (role == Role.SEARCH && config.publicSearch())) {
            return Optional.empty();
        }
        return Optional.of(role);
    }

    /** The rule table, security on: null = open. */
    static Role required(String method, String path) {
        String p = path == null || path.isEmpty() ? "/" : path;
        boolean read = READ_METHODS.contains(method);
        if (PAGE_FILES.contains(p) && read) {
            return null;
        }
        if (p.equals("/q/health") || p.startsWith("/q/health/") || p.equals("/q/metrics")) {
            return null;
        }
        if (read && (p.equals("/q/openapi") || p.equals("/q/swagger-ui") || p.startsWith("/q/swagger-ui/"))) {
            // the API's contract and its viewer: what any client needs to know before it has a key
            return null;
        }
        if (p.equals("/admin") || p.startsWith("/admin/")) {
            return Role.ADMIN;
        }
        if (p.equals("/models") || p.startsWith("/models/")) {
            return read ? Role.SEARCH : Role.ADMIN;
        }
        if (p.equals("/images") || p.startsWith("/images/")) {
            return read ? Role.SEARCH : Role.UPLOAD;
        }
        if (p.equals("/search") || p.startsWith("/search/") || p.equals("/map") || p.equals("/status")) {
            // POST /search takes a query picture: still a read.
            return Role.SEARCH;
        }
        // Anything else (the rest of /q, unknown paths): a read needs a key, a write is for admins.
        return read ? Role.SEARCH : Role.ADMIN;
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
