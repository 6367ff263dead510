package io.planstream.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * What the start-up line says in a JVM started as the launcher starts one (the module added, C2 on),
 * without the module, and as the tests run (the module added, C1 alone: Lucene then keeps to scalar code).
 */
class LuceneVectorizationTest {

    /** Prints the line, for the child JVMs below. */
    public static void main(String[] args) {
        System.out.println(LuceneVectorization.describe());
    }

    @Test
    void shouldUseTheVectorApiInAJvmStartedLikeTheLauncherStartsOne() throws Exception {
        assertThat(childLine("--add-modules=jdk.incubator.vector")).startsWith("Lucene 10.")
                .contains("with the Java Vector API, jdk.incubator.vector (PanamaVectorUtilSupport)");
    }

    @Test
    void shouldSayWhatToAddWhenTheModuleIsMissing() throws Exception {
        assertThat(childLine()).contains("WITHOUT the Java Vector API")
                .contains("start the JVM with --add-modules=jdk.incubator.vector");
    }

    @Test
    void shouldNameC1AsTheReasonInTheTestJvms() {
        assertThat(ModuleLayer.boot().findModule(LuceneVectorization.MODULE)).isPresent();
        assertThat(LuceneVectorization.enabled()).isFalse();
        assertThat(LuceneVectorization.describe()).contains("compiles with C1 alone");
    }

    private static String childLine(String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LuceneVectorizationTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.startsWith("Lucene ")).findFirst().orElseThrow(() -> new AssertionError(out));
    }
}
