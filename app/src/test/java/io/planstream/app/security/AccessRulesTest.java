package io.planstream.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The rule table and the start-up checks of {@link AccessControl}, without a server. */
class AccessRulesTest {

    @Test
    void everyEndpointFamilyHasItsRole() {
        assertThat(AccessControl.required("POST", "/images")).isEqualTo(Role.UPLOAD);
        assertThat(AccessControl.required("DELETE", "/images/abc")).isEqualTo(Role.UPLOAD);
        assertThat(AccessControl.required("GET", "/images/abc")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("GET", "/images/abc/thumbnail")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("POST", "/search")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("POST", "/search/vector")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("GET", "/map")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("GET", "/status")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("GET", "/models")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("GET", "/models/metrics.png")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("POST", "/models/3/activate")).isEqualTo(Role.ADMIN);
        assertThat(AccessControl.required("POST", "/models/import")).isEqualTo(Role.ADMIN);
        assertThat(AccessControl.required("GET", "/admin/trainer")).isEqualTo(Role.ADMIN);
        assertThat(AccessControl.required("POST", "/admin/trainer/rounds")).isEqualTo(Role.ADMIN);
        assertThat(AccessControl.required("GET", "/q/dev-ui")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("PUT", "/anything")).isEqualTo(Role.ADMIN);
        assertThat(AccessControl.required("GET", "/q/health/ready")).isNull();
        assertThat(AccessControl.required("GET", "/q/metrics")).isNull();
        assertThat(AccessControl.required("GET", "/q/openapi")).isNull();
        assertThat(AccessControl.required("GET", "/q/swagger-ui/index.html")).isNull();
        assertThat(AccessControl.required("POST", "/q/openapi")).isEqualTo(Role.ADMIN);
        assertThat(AccessControl.required("DELETE", "/images/plan-1")).isEqualTo(Role.UPLOAD);
        assertThat(AccessControl.required("GET", "/")).isNull();
        assertThat(AccessControl.required("POST", "/")).isEqualTo(Role.ADMIN);
        // Prefix look-alikes are not the open paths.
        assertThat(AccessControl.required("GET", "/q/healthz")).isEqualTo(Role.SEARCH);
        assertThat(AccessControl.required("GET", "/adminx")).isEqualTo(Role.SEARCH);
    }

    @Test
    void securityOffNeedsNothingOnLoopback() {
        AccessControl a = control(false, false, false, "127.0.0.1", Map.of());
        a.onStart(null);
        assertThat(a.needed("POST", "/admin/trainer/rounds")).isEmpty();
    }

    @Test
    void theLoopbackDefaultSaysHowToLetOthersIn() {
        String notice = control(false, false, false, "127.0.0.1", Map.of()).loopbackNotice();
        assertThat(notice).contains("127.0.0.1:8080 only (loopback)").contains("./planstream key create")
                .contains("planstream.security.enabled=true").contains("planstream.security.api-keys-file").contains("quarkus.http.host=0.0.0.0");
    }

    @Test
    void securityOffBeyondLoopbackRefusesToStart() {
        AccessControl a = control(false, false, false, "0.0.0.0", Map.of());
        assertThatThrownBy(() -> a.onStart(null)).hasMessageContaining("beyond loopback")
                .hasMessageContaining("planstream.security.enabled=true").hasMessageContaining("allow-open-network");
        control(false, false, true, "0.0.0.0", Map.of()).onStart(null);
    }

    @Test
    void securityOnWithoutKeysRefusesToStart() {
        assertThatThrownBy(() -> control(true, false, false, "0.0.0.0", Map.of()).onStart(null))
                .hasMessageContaining("no API key is configured").hasMessageContaining("./planstream key create");
    }

    @Test
    void publicSearchOpensOnlyReads() {
        AccessControl a = control(true, true, false, "0.0.0.0", Map.of("k", key("0".repeat(64), "admin")));
        a.onStart(null);
        assertThat(a.needed("GET", "/images/x/similar")).isEmpty();
        assertThat(a.needed("POST", "/images")).contains(Role.UPLOAD);
        assertThat(a.needed("POST", "/models/unpin")).contains(Role.ADMIN);
    }

    @Test
    void loopbackIsRecognised() {
        assertThat(AccessControl.isLoopback("127.0.0.1")).isTrue();
        assertThat(AccessControl.isLoopback("::1")).isTrue();
        assertThat(AccessControl.isLoopback("localhost")).isTrue();
        assertThat(AccessControl.isLoopback("0.0.0.0")).isFalse();
        assertThat(AccessControl.isLoopback("no-such-host.invalid")).isFalse();
    }

    private static SecurityConfig.ApiKey key(String sha, String roles) {
        return new SecurityConfig.ApiKey() {
            public String sha256() {
                return sha;
            }

            public List<String> roles() {
                return List.of(roles.split(","));
            }

            public boolean enabled() {
                return true;
            }

            public Optional<String> description() {
                return Optional.empty();
            }
        };
    }

    private static AccessControl control(boolean enabled, boolean publicSearch, boolean open, String host,
                                         Map<String, SecurityConfig.ApiKey> keys) {
        AccessControl a = new AccessControl();
        a.config = new SecurityConfig() {
            public boolean enabled() {
                return enabled;
            }

            public boolean publicSearch() {
                return publicSearch;
            }

            public boolean allowOpenNetwork() {
                return open;
            }

            public Optional<java.nio.file.Path> apiKeysFile() {
                return Optional.empty();
            }

            public Map<String, SecurityConfig.ApiKey> apiKeys() {
                return keys;
            }
        };
        a.host = host;
        a.port = 8080;
        return a;
    }
}
