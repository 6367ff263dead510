package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;

import org.junit.jupiter.api.Test;

import io.planstream.app.security.SecuredProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The CLI against a server with access control on: it sends --api-key and reports a refusal's reason. */
@QuarkusTest
@TestProfile(SecuredProfile.class)
class SecuredCliTest {

    @TestHTTPResource("/")
    URL url;

    @Test
    void sendsTheKeyAndSaysWhyWithoutOne() {
        String server = url.toString();
        CliRun without = CliRun.run("model", "list", "--url", server);
        assertThat(without.code()).isEqualTo(1);
        assertThat(without.err()).contains("needs an API key");
        CliRun reader = CliRun.run("model", "list", "--url", server, "--api-key", SecuredProfile.READER);
        // Past access control: this server runs no index, so the answer is the index's own refusal.
        assertThat(reader.err()).doesNotContain("API key").doesNotContain("needs '");
        CliRun wrongRole = CliRun.run("model", "unpin", "--url", server, "--api-key", SecuredProfile.READER);
        assertThat(wrongRole.code()).isEqualTo(1);
        assertThat(wrongRole.err()).contains("needs 'admin'");
    }
}
