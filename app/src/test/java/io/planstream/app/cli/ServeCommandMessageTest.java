package io.planstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.ConnectException;

import org.junit.jupiter.api.Test;

class ServeCommandMessageTest {

    @Test
    void aCauseWithoutAMessageIsNamedByItsClassAndPlace() {
        RuntimeException failure = new RuntimeException("Failed to start quarkus", new IllegalStateException("wrapped", new EOFException()));
        String line = ServeCommand.rootMessage(failure);
        assertThat(line).startsWith("Failed to start quarkus (java.io.EOFException at ")
                .contains(ServeCommandMessageTest.class.getName());
    }

    @Test
    void messagesAreKeptWhereThereAreSome() {
        assertThat(ServeCommand.rootMessage(new RuntimeException("outer", new ConnectException("Connection refused"))))
                .isEqualTo("outer (Connection refused)");
        assertThat(ServeCommand.rootMessage(new IllegalStateException("alone"))).isEqualTo("alone");
        assertThat(ServeCommand.rootMessage(new NullPointerException())).startsWith("java.lang.NullPointerException");
    }

    @Test
    void shouldRefuseAnUnknownRoleBeforeStartingNamingTheValidOnes() {
        CliRun run = CliRun.run("serve", "--roles", "ingest,search");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--roles: unknown role 'search'; the roles are ingest, embedder, index, trainer");
    }
}
