package io.planstream.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.planstream.avro.DeadLetter;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.kafka.KafkaPlatform;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The web page at {@code /} and the {@code GET /status} it polls, on the ingest, embedder and index roles.
 *
 * <p>The browser part drives Debian's {@code chromium} through its {@code chromedriver} in headless mode
 * (install both with {@code app/src/test/browser/install-chromium.sh}, which {@code .ci/run} calls);
 * where they are missing it is skipped with a message saying so. Screenshots go to
 * {@code target/screenshots/}.
 */
@QuarkusTest
@TestProfile(SearchApiTest.WholePipeline.class)
class WebPageTest {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(WebPageTest.class);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final FloorPlanGenerator PLANS = new FloorPlanGenerator();

    @TestHTTPResource("/")
    URL page;

    @Inject
    KafkaPlatform platform;

    @Test
    void statusShouldCountUploadsIndexedVersionsAndDeadLetters() throws Exception {
        Response before = given().get("/status");
        before.then().statusCode(200).body("roles", equalTo(List.of("ingest", "embedder", "index"))).body("trainer", nullValue());
        long deadBefore = before.<Number>path("deadLetters.count").longValue();
        int acceptedBefore = before.path("ingest.images");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(upload(PLANS.generate(300 + i).png()));
        }
        await("three more plans indexed in version 0", () -> {
            Response r = given().get("/status");
            return r.<Integer>path("index.active") != null && r.<Integer>path("index.active") == 0
                    && r.<Integer>path("index.versions[0].documents") >= acceptedBefore + 3;
        });
        Response after = given().get("/status");
        after.then().statusCode(200).body("ingest.images", equalTo(acceptedBefore + 3)).body("embedder.versions[0].version", equalTo(0))
                .body("index.versions[0].state", equalTo("active")).body("index.refused", equalTo(0));
        assertThat(after.<Integer>path("index.images")).isGreaterThanOrEqualTo(acceptedBefore + 3);

        // The embedding map: a PCA projection of a sample, scaled to [0, 1], with each image's metadata.
        Response map = given().queryParam("sample", 2).get("/map");
        map.then().statusCode(200).body("modelVersion", equalTo(0)).body("projection", equalTo("pca")).body("points.size()", equalTo(2))
                .body("points[0].format", equalTo("rplan"));
        assertThat(map.<Integer>path("total")).isGreaterThanOrEqualTo(3);
        assertThat(map.<List<Float>>path("points.x")).allSatisfy(x -> assertThat(x).isBetween(0f, 1f));
        assertThat(map.<Map<String, String>>path("points[0].metadata")).containsKey("rooms.total");
        given().queryParam("sample", 10_001).get("/map").then().statusCode(400).body("message", containsString("sample"));
        given().queryParam("projection", "tsne").queryParam("sample", 3).get("/map").then().statusCode(200)
                .body("projection", equalTo("tsne")).body("points.size()", equalTo(3));
        given().queryParam("projection", "umap").get("/map").then().statusCode(400).body("message", containsString("projection"));
        given().queryParam("projection", "tsne").queryParam("sample", 2001).get("/map").then().statusCode(400)
                .body("message", containsString("at most 2000"));

        // A dead letter written by any stage is counted once (not twice, as offsets would with transaction markers).
        try (KafkaProducer<byte[], DeadLetter> producer = new KafkaProducer<>(new java.util.HashMap<>(platform.clientProperties()),
                new ByteArraySerializer(), platform.topics().deadLetters().valueSerde().serializer())) {
            DeadLetter letter = DeadLetter.newBuilder().setTopic("images").setPartition(0).setOffset(7).setStage("decode")
                    .setReason("test letter: the picture does not decode").setModelVersion(0).setTime(Instant.now()).build();
            producer.send(new ProducerRecord<>(platform.topics().deadLetters().name(), ids.get(0).getBytes(StandardCharsets.UTF_8), letter)).get();
        }
        await("the dead letter counted", () -> given().get("/status").<Number>path("deadLetters.count").longValue() == deadBefore + 1);
        given().get("/status").then().body("deadLetters.last.stage", equalTo("decode"))
                .body("deadLetters.last.reason", containsString("test letter")).body("deadLetters.byStage.decode", equalTo(1));

        // The page and its parts are served by the application itself.
        given().get("/").then().statusCode(200).contentType(containsString("text/html")).body(containsString("<script type=\"module\" src=\"/app.js\">"));
        given().get("/app.js").then().statusCode(200).body(containsString("/status"));
        given().get("/style.css").then().statusCode(200);
    }

    @Test
    void pageShouldUploadAPlanShowItsNeighboursAndSearchFromOne() throws Exception {
        Optional<String> missing = Chromium.missing();
        String why = missing.map(m -> "browser test skipped: " + m
                + "; install chromium and chromedriver with app/src/test/browser/install-chromium.sh (as root, with apt)").orElse("");
        if (missing.isPresent()) {
            // Surefire's summary counts a skip without its reason: the test's log says it too.
            LOG.warn(why);
        }
        assumeTrue(missing.isEmpty(), why);
        // Neighbours to find: a few plans uploaded through the API first.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(upload(PLANS.generate(200 + i).png()));
        }
        await("the API's plans searchable", () -> given().queryParam("k", 5).get("/images/" + ids.get(0) + "/similar").statusCode() == 200);
        Path query = Files.createTempFile("plan-", ".png");
        Files.write(query, PLANS.generate(250).png());
        Path notAnImage = Files.createTempFile("notes-", ".png");
        Files.writeString(notAnImage, "these are notes, not a picture");
        Files.createDirectories(SCREENSHOTS);
        Files.deleteIfExists(SCREENSHOTS.resolve("failure.png"));

        WebDriver driver = Chromium.start(1280, 1700);
        try {
            WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(200)) {
                @Override
                public <V> V until(java.util.function.Function<? super WebDriver, ? extends V> isTrue) {
                    try {
                        return super.until(isTrue);
                    } catch (org.openqa.selenium.TimeoutException e) {
                        throw new AssertionError("the page did not get there; it shows: error '" + text(driver, "error") + "', state '"
                                + text(driver, "search-state") + "', caption '" + text(driver, "query-caption") + "'; "
                                + saveQuietly(driver, "failure.png"), e);
                    }
                }
            };
            driver.get(page.toString());
            wait.until(d -> isNumber(text(d, "count-accepted")));
            int accepted = Integer.parseInt(text(driver, "count-accepted"));
            wait.until(d -> isNumber(text(d, "count-indexed")));
            int indexed = Integer.parseInt(text(driver, "count-indexed"));

            // Upload through the page's file input: its neighbours appear as thumbnails with scores.
            driver.findElement(By.id("file")).sendKeys(query.toAbsolutePath().toString());
            wait.until(d -> d.findElements(By.cssSelector("#neighbours li.hit")).size() >= 5);
            wait.until(d -> text(d, "query-caption").contains("as the server renders it"));
            List<WebElement> hits = driver.findElements(By.cssSelector("#neighbours li.hit"));
            assertThat(hits.get(0).getText()).contains("score").contains("v0").contains("rooms");
            wait.until(d -> thumbnailsLoaded(d) >= 5);
            wait.until(d -> text(d, "map-state").contains("model version 0"));
            save(driver, "page-search.png");

            // The status panel moves: one more image accepted and indexed, without reloading.
            wait.until(d -> isNumber(text(d, "count-accepted")) && Integer.parseInt(text(d, "count-accepted")) > accepted);
            wait.until(d -> isNumber(text(d, "count-indexed")) && Integer.parseInt(text(d, "count-indexed")) > indexed);
            int plans = Integer.parseInt(text(driver, "count-indexed"));

            // Clicking a neighbour searches from it.
            String neighbour = hits.get(0).getAttribute("data-id");
            hits.get(0).findElement(By.tagName("button")).click();
            wait.until(d -> text(d, "search-state").contains("nearest plans of " + neighbour));
            wait.until(d -> d.findElements(By.cssSelector("#neighbours li.hit")).size() >= 5);
            assertThat(driver.findElements(By.cssSelector("#neighbours li.hit")).stream().map(e -> e.getAttribute("data-id")))
                    .doesNotContain(neighbour);
            wait.until(d -> thumbnailsLoaded(d) >= 5);
            save(driver, "page-neighbour.png");

            // The embedding map: hovering a point shows that plan's thumbnail, clicking it searches from it.
            wait.until(d -> text(d, "map-state").contains(plans + " of " + plans + " plans"));
            @SuppressWarnings("unchecked")
            Map<String, Object> point = (Map<String, Object>) ((org.openqa.selenium.JavascriptExecutor) driver).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "import('/app.js').then(m => done({id: m.mapPoints[0].id, x: m.mapPoints[0].sx, y: m.mapPoints[0].sy}));");
            WebElement canvas = driver.findElement(By.id("map-canvas"));
            ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'});", canvas);
            org.openqa.selenium.Rectangle box = canvas.getRect();
            new org.openqa.selenium.interactions.Actions(driver).moveToElement(canvas,
                    (int) Math.round(((Number) point.get("x")).doubleValue() - box.getWidth() / 2.0),
                    (int) Math.round(((Number) point.get("y")).doubleValue() - box.getHeight() / 2.0)).perform();
            wait.until(d -> d.findElement(By.id("map-hover")).isDisplayed());
            assertThat(driver.findElement(By.id("map-hover")).getAttribute("src")).endsWith("/images/" + point.get("id") + "/thumbnail");
            save(driver, "page-map-hover.png");
            new org.openqa.selenium.interactions.Actions(driver).click().perform();
            wait.until(d -> text(d, "search-state").contains("nearest plans of " + point.get("id")));
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("map-projection"))).selectByValue("tsne");
            wait.until(d -> text(d, "map-state").contains("t-SNE: " + plans + " of " + plans + " plans"));
            save(driver, "page-tsne.png");

            // A refused upload shows the server's reason.
            driver.findElement(By.id("file")).sendKeys(notAnImage.toAbsolutePath().toString());
            wait.until(d -> d.findElement(By.id("error")).isDisplayed());
            assertThat(text(driver, "error")).startsWith("Upload refused:").hasSizeGreaterThan("Upload refused: ".length() + 10);

            // A phone-sized screen: one column, nothing wider than the screen.
            driver.manage().window().setSize(new Dimension(390, 1600));
            driver.findElement(By.id("neighbours")).getRect();
            long overflow = (Long) ((org.openqa.selenium.JavascriptExecutor) driver)
                    .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(overflow).as("horizontal overflow on a phone-sized screen").isLessThanOrEqualTo(0);
            save(driver, "page-phone.png");
        } finally {
            driver.quit();
            Files.deleteIfExists(query);
            Files.deleteIfExists(notAnImage);
        }
    }

    private static String upload(byte[] png) {
        return given().contentType("image/png").body(png).post("/images").then().statusCode(202).extract().path("id");
    }

    private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not in " + WAIT + ": " + what + "; status " + given().get("/status").asString());
            }
            Thread.sleep(200);
        }
    }

    private static String text(WebDriver d, String id) {
        return d.findElement(By.id(id)).getText().trim();
    }

    private static boolean isNumber(String s) {
        return s.matches("\\d+");
    }

    private static long thumbnailsLoaded(WebDriver d) {
        return (Long) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll('#neighbours img')].filter(i => i.complete && i.naturalWidth > 0).length;");
    }

    private static String saveQuietly(WebDriver driver, String name) {
        try {
            save(driver, name);
            return "screenshot " + SCREENSHOTS.resolve(name);
        } catch (IOException | RuntimeException e) {
            return "no screenshot: " + e;
        }
    }

    private static void save(WebDriver driver, String name) throws IOException {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name), png);
    }

    /** Debian's chromium and its driver, found where the packages put them or where -Dbrowser.chromium/-Dbrowser.chromedriver say. */
    static final class Chromium {

        private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
        private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

        private Chromium() {
        }

        /** What is missing, or empty when both are there. */
        static Optional<String> missing() {
            if (find("browser.chromium", BROWSERS).isEmpty()) {
                return Optional.of("no chromium binary (looked for " + BROWSERS + ", -Dbrowser.chromium)");
            }
            if (find("browser.chromedriver", DRIVERS).isEmpty()) {
                return Optional.of("no chromedriver binary (looked for " + DRIVERS + ", -Dbrowser.chromedriver)");
            }
            return Optional.empty();
        }

        static WebDriver start(int width, int height) {
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(find("browser.chromedriver", DRIVERS).orElseThrow()))
                    .usingAnyFreePort().build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(find("browser.chromium", BROWSERS).orElseThrow());
            // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=" + width + "," + height, "--hide-scrollbars");
            return new ChromeDriver(service, options);
        }

        private static Optional<String> find(String property, List<String> candidates) {
            String configured = System.getProperty(property);
            List<String> paths = configured != null ? List.of(configured) : candidates;
            return paths.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
        }
    }
}
