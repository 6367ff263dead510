package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.app.security.ApiKeys;
import io.planstream.app.security.Role;

class KeyCommandTest {

    @Test
    void createsAKeyWhoseLineTheServerAccepts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets/keys");
        CliRun first = CliRun.run("key", "create", "--name", "ci-uploader", "--roles", "upload,search", "--file", file.toString());
        CliRun second = CliRun.run("key", "create", "--name", "ops", "--roles", "ADMIN", "--file", file.toString());
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(second.code()).as(second.err()).isZero();
        String key = first.out().lines().filter(l -> l.startsWith("key:")).findFirst().orElseThrow().substring(4).trim();
        assertThat(key).startsWith(ApiKeys.PREFIX);
        assertThat(Files.readString(file)).doesNotContain(key).contains("ci-uploader " + ApiKeys.sha256Hex(key) + " upload,search");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        List<ApiKeys.Key> parsed = ApiKeys.parseFile(file);
        assertThat(parsed).extracting(ApiKeys.Key::name).containsExactly("ci-uploader", "ops");
        ApiKeys keys = ApiKeys.from(Map.of(), parsed);
        assertThat(keys.find(key)).hasValueSatisfying(k -> assertThat(k.roles()).containsExactlyInAnyOrder(Role.UPLOAD, Role.SEARCH));
    }

    @Test
    void refusesBadNamesAndRoles() {
        CliRun badRole = CliRun.run("key", "create", "--name", "x", "--roles", "root");
        assertThat(badRole.code()).isEqualTo(2);
        assertThat(badRole.err()).contains("unknown role 'root'");
        CliRun badName = CliRun.run("key", "create", "--name", "a b/../c");
        assertThat(badName.code()).isEqualTo(2);
        assertThat(badName.err()).contains("--name must be");
    }
}
