package io.planstream.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

    @Test
    void generatedKeysAreLongRandomAndPrefixed() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String k = ApiKeys.generate();
            assertThat(k).startsWith(ApiKeys.PREFIX).hasSize(ApiKeys.PREFIX.length() + 43).matches("ps_[A-Za-z0-9_-]+");
            assertThat(seen.add(k)).isTrue();
        }
    }

    @Test
    void findsAKeyByItsDigestOnly(@TempDir Path dir) throws Exception {
        String a = ApiKeys.generate();
        String b = ApiKeys.generate();
        Path file = dir.resolve("keys");
        Files.writeString(file, "# comment\n  \nalice " + ApiKeys.sha256Hex(a) + " upload,search\n");
        ApiKeys keys = ApiKeys.from(Map.of(), List.copyOf(ApiKeys.parseFile(file)));
        assertThat(keys.find(a)).hasValueSatisfying(k -> {
            assertThat(k.name()).isEqualTo("alice");
            assertThat(k.roles()).containsExactlyInAnyOrder(Role.UPLOAD, Role.SEARCH);
            assertThat(k.grants(Role.SEARCH)).isTrue();
            assertThat(k.grants(Role.ADMIN)).isFalse();
        });
        assertThat(keys.find(b)).isEmpty();
        assertThat(keys.find(ApiKeys.sha256Hex(a))).as("the digest itself is not a key").isEmpty();
        assertThat(keys.find("")).isEmpty();
        assertThat(keys.find(null)).isEmpty();
        assertThat(keys.find(a + "\u0000")).isEmpty();
        assertThat(keys.find("x".repeat(100_000))).isEmpty();
    }

    @Test
    void malformedFilesFailWithTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "ok " + "0".repeat(64) + " admin\nbroken " + "0".repeat(63) + " admin\n");
        assertThatThrownBy(() -> ApiKeys.parseFile(file)).hasMessageContaining("line 2").hasMessageContaining("64 hex digits");
        Files.writeString(file, "x " + "0".repeat(64) + " root\n");
        assertThatThrownBy(() -> ApiKeys.parseFile(file)).hasMessageContaining("line 1").hasMessageContaining("unknown role 'root'");
        Files.writeString(file, "x " + "0".repeat(64) + "\n");
        assertThatThrownBy(() -> ApiKeys.parseFile(file)).hasMessageContaining("expected 'NAME SHA256 ROLE");
        Files.writeString(file, "x " + "g".repeat(64) + " admin\n");
        assertThatThrownBy(() -> ApiKeys.parseFile(file)).hasMessageContaining("not hex");
        assertThatThrownBy(() -> ApiKeys.parseFile(dir.resolve("missing"))).hasMessageContaining("cannot read the API key file");
    }

    @Test
    void namesAreUnique(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "dup " + "0".repeat(64) + " admin\ndup " + "1".repeat(64) + " search\n");
        assertThatThrownBy(() -> ApiKeys.from(Map.of(), ApiKeys.parseFile(file))).hasMessageContaining("two API keys are named 'dup'");
    }

    @Test
    void rolesImplyTheSmallerOnes() {
        assertThat(Role.ADMIN.grants(Role.UPLOAD)).isTrue();
        assertThat(Role.ADMIN.grants(Role.SEARCH)).isTrue();
        assertThat(Role.UPLOAD.grants(Role.SEARCH)).isTrue();
        assertThat(Role.UPLOAD.grants(Role.ADMIN)).isFalse();
        assertThat(Role.SEARCH.grants(Role.UPLOAD)).isFalse();
        assertThat(Role.parse(" Admin ")).isEqualTo(Role.ADMIN);
        assertThatThrownBy(() -> Role.parse("superuser")).hasMessageContaining("roles are search, upload, admin");
    }
}
