package io.planstream.app.cli;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.planstream.avro.ImageRecord;
import io.planstream.ingest.ImageId;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.TopicReader;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The command line as a user runs it, against the real server of the test. */
@QuarkusTest
class CommandLineTest {

    @TestHTTPResource("/")
    URL server;

    @TempDir
    Path dir;

    @Inject
    KafkaPlatform platform;

    @Test
    void shouldGenerateAndIngestAFolderThenReportARejectedFileWithExitCode1() throws Exception {
        Path plans = dir.resolve("plans");
        assertThat(run("generate", "--count", "6", "--out", plans.toString(), "--seed", "3").code()).isZero();
        List<Path> pngs;
        try (var s = Files.list(plans)) {
            pngs = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertThat(pngs).hasSize(6);
        assertThat(plans.resolve("attributes.jsonl")).exists();

        CliRun ok = run("ingest", "--url", url(), plans.toString());
        assertThat(ok.code()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("accepted 6, rejected 0 of 6 files");
        for (Path png : pngs) {
            given().when().get("/images/" + ImageId.sha256Hex(Files.readAllBytes(png))).then().statusCode(200)
                    .body("format", equalTo("rplan")).body("source", equalTo("cli"));
        }

        Files.write(plans.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        CliRun partial = run("ingest", "--url", url(), plans.toString());
        assertThat(partial.code()).isEqualTo(1);
        assertThat(partial.out()).contains("accepted 6, rejected 1 of 7 files").contains("broken.png");
    }

    @Test
    void shouldIngestStraightToKafkaWithTheSameValidation() throws Exception {
        Path plans = dir.resolve("direct");
        assertThat(run("generate", "--count", "3", "--out", plans.toString(), "--seed", "11").code()).isZero();
        Files.write(plans.resolve("zz-not-a-picture.png"), "plain text".getBytes(StandardCharsets.UTF_8));
        CliRun r = run("ingest", "--kafka", platform.bootstrapServers(), "--registry", platform.schemaRegistryUrl(),
                "--source", "nightly", "--meta", "batch=7", plans.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("accepted 3, rejected 1 of 4 files").contains("not_an_image").contains("zz-not-a-picture.png");
        Map<String, ImageRecord> stored = TopicReader.latestByKey(platform.clientProperties(), platform.topics().images(),
                Duration.ofSeconds(30));
        try (var s = Files.list(plans)) {
            for (Path png : s.filter(p -> p.getFileName().toString().startsWith("plan-")).toList()) {
                ImageRecord rec = stored.get(ImageId.sha256Hex(Files.readAllBytes(png)));
                assertThat(rec).as("record of %s", png).isNotNull();
                assertThat(rec.getSource()).isEqualTo("nightly");
                assertThat(rec.getMetadata()).containsEntry("batch", "7").containsKey("rooms.total");
            }
        }
        assertThat(run("ingest", "--kafka", platform.bootstrapServers(), plans.toString()).code()).isEqualTo(2);
        // Client settings belong to --kafka, never name the cluster themselves, and come from a file that exists.
        CliRun noKafka = run("ingest", "--url", url(), "--kafka-property", "security.protocol=SSL", plans.toString());
        assertThat(noKafka.code()).isEqualTo(2);
        assertThat(noKafka.err()).contains("--kafka-config and --kafka-property need --kafka");
        CliRun bootstrap = run("ingest", "--kafka", platform.bootstrapServers(), "--registry", platform.schemaRegistryUrl(), "--kafka-property",
                "bootstrap.servers=elsewhere:9092", plans.toString());
        assertThat(bootstrap.code()).isEqualTo(2);
        assertThat(bootstrap.err()).contains("bootstrap.servers comes from --kafka");
        CliRun missing = run("ingest", "--kafka", platform.bootstrapServers(), "--registry", platform.schemaRegistryUrl(), "--kafka-config",
                dir.resolve("absent.properties").toString(), plans.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--kafka-config: cannot read").contains("absent.properties");
    }

    @Test
    void shouldExitWith2OnBadUsage() {
        assertThat(run("ingest", "--url", url(), dir.resolve("missing").toString()).code()).isEqualTo(2);
        assertThat(run("generate", "--count", "0", "--out", dir.toString()).code()).isEqualTo(2);
        assertThat(run("no-such-command").code()).isEqualTo(2);
        assertThat(run("bench", "ingest", "--size", "3").code()).isEqualTo(2);
        assertThat(run("bench", "e2e", "--rate", "0").code()).isEqualTo(2);
        assertThat(run("bench", "e2e", "--duration", "0").err()).contains("--duration");
        CliRun help = run("--help");
        assertThat(help.code()).as(help.err()).isZero();
        assertThat(PlanstreamCommand.newCommandLine().getUsageMessage()).contains("serve", "demo", "ingest", "generate", "bench");
    }

    @Test
    void shouldFailWithAMessageWhenNoServerListens() {
        CliRun r = run("ingest", "--url", "http://127.0.0.1:1", writeOne());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach");
    }

    private String writeOne() {
        try {
            Path f = dir.resolve("one.png");
            Files.write(f, new byte[] {1});
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String url() {
        return server.toString();
    }

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }
}
