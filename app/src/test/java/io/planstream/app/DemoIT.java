package io.planstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.planstream.app.cli.ChildJvm;

/**
 * The packaged application: {@code planstream demo --smoke} from an empty data directory to an answered query
 * (synthetic plans, an encoder pretrained for one epoch and published as version 1, ingest, embedding, indexing),
 * with a console free of INFO log lines and the log in {@code DATA_DIR/logs/planstream.log}; then {@code demo} again
 * on the same directory, which reuses all of it and keeps serving with the trainer: the page's Train now runs a
 * round that the page follows step by step, through the gate's verdict to the new version's backfill and
 * activation, and {@code planstream train --once} publishes another version that {@code GET /models} shows active.
 *
 * <p>The tests share one serving demo and run in order: each later one needs the data the first left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoIT {

    private static final Logger LOG = Logger.getLogger(DemoIT.class);
    private static final long TIMEOUT_S = 600;
    private static final Duration ROLL_OUT = Duration.ofMinutes(3);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** A log line at INFO as Quarkus's console and file handlers write it. */
    private static final Pattern INFO_LINE = Pattern.compile(".*\\bINFO\\s+\\[.*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /**
     * The demo's settings for 24 plans. Rounds in batches of 8 (the demo's 32 is more than the plans they train on),
     * ten passes so that the page can follow the steps, and a gate that passes what the wiring hands it: five held-out
     * plans judge nothing, and the roll-out is what these tests are about.
     */
    private static final List<String> SETTINGS = List.of("-Dplanstream.trainer.batch-size=8", "-Dplanstream.trainer.epochs=10",
            "-Dplanstream.trainer.margin=1.0",
            // A new version answers once it holds every plan: the default lag of 20 is most of these 24.
            "-Dplanstream.index.catch-up-lag=0");

    /** Static: one folder for the class (an instance field's would be emptied after each test, under the running demo). */
    @TempDir
    static Path dir;

    private Run first;
    private Serving serving;

    @Test
    @Order(1)
    void shouldAnswerAQueryFromAFreshDataDirectoryWithNoLogLinesOnTheConsole() throws Exception {
        Run run = firstRun();
        assertThat(run.code).as(run.err).isZero();
        assertThat(run.out).contains("generated 24 synthetic RPLAN plans", "initial model: version 1", "uploaded 24 plans",
                "nearest plans to", "model version 1", "trainer: continues pretraining", "smoke run answered");
        assertThat(run.out.lines().filter(l -> l.matches("\\s+[1-5]\\s+[0-9a-f]{64}\\s+[-0-9.]+\\s+.*"))).hasSize(5);
        assertThat(data().resolve("demo/pretrain/model/manifest.json")).exists();
        assertThat(data().resolve("index/v1")).isDirectory();

        // The console: the demo's own lines and progress bars; the log, Quarkus's and the broker's start-up lines
        // included, is in the file.
        assertThat(infoLines(run.out)).as("INFO lines on stdout").isEmpty();
        assertThat(infoLines(run.err)).as("INFO lines on stderr").isEmpty();
        Path log = data().resolve("logs/planstream.log");
        assertThat(run.out).contains("log in " + log);
        String logged = Files.readString(log);
        assertThat(infoLines(logged)).isNotEmpty();
        assertThat(logged).contains("Installed features", "Embedded Kafka broker", "Profile demo activated", "trainer started");
    }

    @Test
    @Order(2)
    void shouldShowARoundItsVerdictAndTheRollOutOnThePage() throws Exception {
        Optional<String> missing = WebPageTest.Chromium.missing();
        missing.ifPresent(m -> LOG.warn("browser test skipped: " + m
                + "; install chromium and chromedriver with app/src/test/browser/install-chromium.sh (as root, with apt)"));
        assumeTrue(missing.isEmpty(), () -> "browser test skipped: " + missing.orElse(""));
        Serving demo = serving();
        Files.createDirectories(SCREENSHOTS);
        WebDriver driver = WebPageTest.Chromium.start(1280, 1800);
        try {
            WebDriverWait wait = new WebDriverWait(driver, ROLL_OUT, Duration.ofMillis(100));
            driver.get(demo.url + "/");
            wait.until(d -> d.findElement(By.id("training")).isDisplayed() && d.findElement(By.id("train-now")).isEnabled());
            assertThat(text(driver, "trainer-summary")).contains("plans in the training buffer");
            int before = activeVersion(demo);

            // Train now: the round's steps and loss as they happen.
            driver.findElement(By.id("train-now")).click();
            String live = wait.until(d -> d.findElement(By.id("train-round")).isDisplayed()
                    && text(d, "train-round-text").contains("loss") ? text(d, "train-round-text") : null);
            assertThat(live).matches("Round \\d+ \\(operator\\) · training · epoch \\d+ of 10, step \\d+ of \\d+"
                    + " · loss \\d+\\.\\d{4}");
            save(driver, "demo-round.png");

            // The gate's verdict, with both models' held-out metrics.
            wait.until(d -> "PUBLISHED".equals(d.findElement(By.id("train-verdict")).getAttribute("data-outcome")));
            int published = before + 1;
            assertThat(text(driver, "train-verdict-text"))
                    .contains("(operator) published version " + published + ": held-out loss");
            assertThat(driver.findElements(By.cssSelector("#train-metrics tbody tr"))).hasSizeGreaterThanOrEqualTo(3);
            assertThat(text(driver, "train-current-head")).isEqualTo("version " + before);

            // The roll-out: the new version backfilled beside the active one, then active.
            wait.until(d -> String.valueOf(published).equals(d.findElement(By.id("rollout")).getAttribute("data-version"))
                    && "active".equals(d.findElement(By.id("rollout")).getAttribute("data-state")));
            save(driver, "demo-rollout.png");
            assertThat(text(driver, "train-log")).contains("round", "started", "version " + published + ": backfill started",
                    "version " + published + " active");
            assertThat(text(driver, "rollout-text")).startsWith("Version " + published + " is active: 24 plans searchable");
            assertThat(activeVersion(demo)).isEqualTo(published);

            // A phone-sized screen: the panel and its table fit.
            driver.manage().window().setSize(new Dimension(390, 1600));
            JavascriptExecutor js = (JavascriptExecutor) driver;
            js.executeScript("document.getElementById('training').scrollIntoView();");
            long overflow = (Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(overflow).as("horizontal overflow on a phone-sized screen").isLessThanOrEqualTo(0);
            save(driver, "demo-phone.png");
        } catch (RuntimeException | AssertionError e) {
            try {
                save(driver, "demo-failure.png");
            } catch (IOException | RuntimeException screenshot) {
                e.addSuppressed(screenshot);
            }
            throw e;
        } finally {
            driver.quit();
        }
    }

    @Test
    @Order(3)
    void shouldPublishAVersionWithTrainOnceAndRollItOut() throws Exception {
        Serving demo = serving();
        int before = activeVersion(demo);
        long t0 = System.nanoTime();
        Run train = cli("train", "--once", "--url", demo.url);
        assertThat(train.code).as(train.err).isZero();
        JsonNode round = JSON.readTree(train.out);
        assertThat(round.path("outcome").asText()).as(train.out).isEqualTo("PUBLISHED");
        assertThat(round.path("trigger").asText()).isEqualTo("operator");
        int published = round.path("publishedVersion").asInt();
        assertThat(published).isEqualTo(before + 1);
        long deadline = System.nanoTime() + ROLL_OUT.toNanos();
        while (activeVersion(demo) != published) {
            assertThat(System.nanoTime()).as("version %d active within %s; GET /models: %s", published, ROLL_OUT,
                    get(demo, "/models")).isLessThan(deadline);
            Thread.sleep(250);
        }
        LOG.infof("train --once to version %d active: %.1f s", published, (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    void stopTheDemo() throws Exception {
        if (serving == null) {
            return;
        }
        serving.process.destroy();
        if (!serving.process.waitFor(60, TimeUnit.SECONDS)) {
            serving.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String out = Files.readString(serving.out, StandardCharsets.UTF_8);
        String err = Files.readString(serving.err, StandardCharsets.UTF_8);
        // The second start reused the first's plans and model, and its console stayed free of INFO lines throughout.
        assertThat(out).doesNotContain("generated", "pretraining the initial encoder")
                .contains("published earlier", "(24 were already there)");
        assertThat(infoLines(out)).as("INFO lines on the serving demo's stdout").isEmpty();
        assertThat(infoLines(err)).as("INFO lines on the serving demo's stderr").isEmpty();
    }

    private Path data() {
        return dir.resolve("demo");
    }

    private Run firstRun() throws IOException, InterruptedException {
        if (first == null) {
            first = demo(List.of("--smoke", "--port", "0"));
        }
        return first;
    }

    /** The demo on the first run's data, serving on a free port until the tests end. */
    private Serving serving() throws IOException, InterruptedException {
        if (serving != null) {
            return serving;
        }
        Run run = firstRun();
        assertThat(run.code).as("the first run, which the serving demo reuses: %s", run.err).isZero();
        int port = ServeProcess.freePorts(1)[0];
        Path out = Files.createTempFile(dir, "serving", ".out");
        Path err = Files.createTempFile(dir, "serving", ".err");
        Process p = start(command(List.of("--port", String.valueOf(port))), out, err);
        serving = new Serving(p, "http://127.0.0.1:" + port, out, err);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!Files.readString(out).contains("planstream demo: serving on")) {
            assertThat(p.isAlive()).as("the demo runs; stdout:\n%s\nstderr:\n%s", Files.readString(out), Files.readString(err))
                    .isTrue();
            assertThat(System.nanoTime()).as("the demo serving within %d s", TIMEOUT_S).isLessThan(deadline);
            Thread.sleep(250);
        }
        assertThat(Files.readString(out)).contains("trainer: continues pretraining",
                "./planstream train --once --url http://localhost:" + port);
        return serving;
    }

    private record Run(int code, String out, String err) {
    }

    private record Serving(Process process, String url, Path out, Path err) {
    }

    private Run demo(List<String> options) throws IOException, InterruptedException {
        return run(command(options));
    }

    private List<String> command(List<String> options) {
        List<String> cmd = jvm(SETTINGS);
        cmd.addAll(List.of("demo", "--count", "24", "--epochs", "1", "--data-dir", data().toString()));
        cmd.addAll(options);
        return cmd;
    }

    /** {@code planstream ARGS}, as the launcher runs it. */
    private Run cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = jvm(List.of());
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static List<String> jvm(List<String> properties) {
        Path jar = Path.of(System.getProperty("planstream.app.dir", "target/quarkus-app"), "quarkus-run.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Free ports for the broker and registry so a Planstream running on this machine is not disturbed.
                "-Dplanstream.embedded.kafka-port=0", "-Dplanstream.embedded.registry-port=0",
                "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                ServeProcess.C1_ONLY));
        cmd.addAll(properties);
        cmd.addAll(ChildJvm.platformOptions());
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    private Run run(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "run", ".out");
        Path err = Files.createTempFile(dir, "run", ".err");
        Process p = start(cmd, out, err);
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd.subList(cmd.indexOf("-jar") + 2, cmd.size())) + " did not finish in "
                    + TIMEOUT_S + " s; stdout:\n" + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code cmd} with libtorch's OpenMP workers sleeping at a barrier instead of spinning, as the launcher
     * has them (docs/RESULTS.md): on a machine that other work shares, spinning workers take the cores from it.
     */
    private static Process start(List<String> cmd, Path out, Path err) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        return pb.start();
    }

    /** Log lines at INFO; progress bars redraw with carriage returns, so those end lines too. */
    private static List<String> infoLines(String console) {
        return Pattern.compile("[\r\n]+").splitAsStream(console).filter(l -> INFO_LINE.matcher(l).matches()).toList();
    }

    private static int activeVersion(Serving demo) throws IOException, InterruptedException {
        JsonNode active = JSON.readTree(get(demo, "/models")).path("active");
        return active.isNumber() ? active.asInt() : -1;
    }

    private static String get(Serving demo, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(demo.url + path)).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    private static String text(WebDriver d, String id) {
        return d.findElement(By.id(id)).getText().trim();
    }

    private static void save(WebDriver driver, String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
}
