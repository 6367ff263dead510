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
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.planstream.avro.DeadLetter;
import io.planstream.ingest.generate.FloorPlanGenerator;
import io.planstream.platform.KafkaPlatform;
import io.planstream.platform.testing.Await;
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
    /** The page's k: neighbours on one page. */
    private static final int PAGE = 12;

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
        // The index reads the images (its catalog) and the embeddings on two threads: either can be the later one.
        await("three more plans indexed in version 0 and in the index's catalog", () -> {
            Response r = given().get("/status");
            return r.<Integer>path("index.active") != null && r.<Integer>path("index.active") == 0
                    && r.<Integer>path("index.versions[0].documents") >= acceptedBefore + 3
                    && r.<Integer>path("index.images") >= acceptedBefore + 3;
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
        assumeBrowser();
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
            WebDriverWait wait = pageWait(driver);
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

    @Test
    void pageShouldFilterPageAndDeletePlans() throws Exception {
        assumeBrowser();
        // More than two pages of neighbours, with bedroom and room counts that several plans share.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(upload(PLANS.generate(500 + i).png()));
        }
        await("the 30 plans indexed", () -> indexedIds(listing()).containsAll(ids));
        String bedrooms = mostCommon(listing(), "rooms.bedroom");
        Path query = Files.createTempFile("plan-", ".png");
        Files.write(query, PLANS.generate(560).png());
        Files.createDirectories(SCREENSHOTS);

        WebDriver driver = Chromium.start(1280, 1700);
        try {
            WebDriverWait wait = pageWait(driver);
            driver.get(page.toString());
            wait.until(d -> isNumber(text(d, "count-accepted")));

            // (a) Bedrooms set before the upload: the upload's neighbours all have that many bedrooms, and
            // as many of them as the index holds (up to k).
            type(driver, "f-bedrooms", bedrooms);
            driver.findElement(By.id("file")).sendKeys(query.toAbsolutePath().toString());
            String filter = "with rooms.bedroom:" + bedrooms + " in model version";
            wait.until(d -> state(d).contains(filter));
            String uploaded = queryId(driver);
            assertThat(driver.findElement(By.id("delete")).isDisplayed()).isTrue();
            assertBedrooms(driver, bedrooms, expected(m -> bedrooms.equals(meta(m, "rooms.bedroom")), uploaded));
            assertThat(driver.findElement(By.id("filters")).getAttribute("class")).contains("active");

            // ... and so have the neighbours of a neighbour clicked.
            WebElement first = cards(driver).get(0);
            String neighbour = first.getAttribute("data-id");
            first.findElement(By.tagName("button")).click();
            wait.until(d -> state(d).contains("nearest plans of " + neighbour + " " + filter));
            assertThat(cardIds(driver)).doesNotContain(neighbour);
            assertBedrooms(driver, bedrooms, expected(m -> bedrooms.equals(meta(m, "rooms.bedroom")), neighbour));
            wait.until(d -> thumbnailsLoaded(d) >= cards(d).size());
            save(driver, "page-filters.png");

            // Total rooms from/to, inclusive: changing the row re-runs the search.
            int total = Integer.parseInt(mostCommon(listing(), "rooms.total"));
            type(driver, "f-bedrooms", "");
            type(driver, "f-rooms-from", String.valueOf(total - 1));
            type(driver, "f-rooms-to", String.valueOf(total));
            wait.until(d -> state(d).contains("nearest plans of " + neighbour + " with rooms.total:[" + (total - 1) + " TO " + total + "] in"));
            List<WebElement> ranged = cards(driver);
            assertThat(ranged).hasSize(expected(m -> {
                int t = Integer.parseInt(meta(m, "rooms.total"));
                return t >= total - 1 && t <= total;
            }, neighbour)).allSatisfy(c -> assertThat(rooms(c)[0]).isBetween(total - 1, total));
            type(driver, "f-rooms-from", "");
            wait.until(d -> state(d).contains("with rooms.total:[* TO " + total + "] in"));
            assertThat(cards(driver)).allSatisfy(c -> assertThat(rooms(c)[0]).isLessThanOrEqualTo(total));
            type(driver, "f-rooms-to", "");

            // Format: no picture is stored, every plan is an RPLAN file.
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("f-format"))).selectByValue("picture");
            wait.until(d -> state(d).startsWith("0 nearest plans of " + neighbour + " with format:picture in"));
            assertThat(cards(driver)).isEmpty();
            assertThat(driver.findElement(By.id("more")).isDisplayed()).isFalse();
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("f-format"))).selectByValue("rplan");
            wait.until(d -> state(d).startsWith(PAGE + " nearest plans of " + neighbour + " with format:rplan in"));
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("f-format"))).selectByValue("");
            wait.until(d -> unfiltered(d, neighbour));

            // Min score: only neighbours at least that close.
            // The card shows the score rounded to 3 decimals: one thousandth less is below the fifth's own.
            double fifth = score(cards(driver).get(4));
            String minScore = String.format(java.util.Locale.ROOT, "%.3f", (Math.round(fifth * 1000) - 1) / 1000.0);
            type(driver, "f-min-score", minScore);
            wait.until(d -> state(d).contains("with score ≥ " + minScore + " in"));
            assertThat(cards(driver)).hasSizeBetween(5, PAGE).allSatisfy(c -> assertThat(score(c)).isGreaterThanOrEqualTo(Double.parseDouble(minScore)));
            type(driver, "f-min-score", "");
            wait.until(d -> unfiltered(d, neighbour));

            // (b) "More" appends the next pages, with no plan twice, until a page is short; then it hides.
            int all = indexedIds(listing()).size() - 1;
            assertThat(all).as("plans besides the one searched from").isGreaterThan(2 * PAGE);
            assertThat(cards(driver)).hasSize(PAGE);
            int clicks = 0;
            while (driver.findElement(By.id("more")).isDisplayed()) {
                assertThat(clicks++).as("clicks on More").isLessThan(10);
                int before = stateCount(driver);
                driver.findElement(By.id("more")).click();
                wait.until(d -> stateCount(d) > before || !d.findElement(By.id("more")).isDisplayed());
                List<String> shown = cardIds(driver);
                assertThat(shown).doesNotHaveDuplicates().doesNotContain(neighbour);
            }
            assertThat(clicks).isGreaterThanOrEqualTo(2);
            assertThat(cardIds(driver)).hasSize(all);
            assertThat(stateCount(driver)).isEqualTo(all);

            // (c) A filter the server refuses: its message where the page shows errors, and no stale cards.
            Response refused = given().queryParam("k", PAGE).queryParam("filter", "rooms.sauna:1").get("/images/" + neighbour + "/similar");
            refused.then().statusCode(400).body("error", equalTo("invalid_filter")).body("message", containsString("rooms.sauna"));
            String message = refused.path("message");
            type(driver, "f-other", "rooms.sauna:1");
            driver.findElement(By.id("f-other")).sendKeys(org.openqa.selenium.Keys.ENTER);
            wait.until(d -> d.findElement(By.id("error")).isDisplayed() && text(d, "error").equals(message));
            assertThat(state(driver)).isEmpty();
            assertThat(cards(driver)).isEmpty();
            assertThat(driver.findElement(By.id("more")).isDisplayed()).isFalse();
            // Another metadata key that exists works through the same field.
            type(driver, "f-other", "rooms.bedroom:" + bedrooms);
            driver.findElement(By.id("f-other")).sendKeys(org.openqa.selenium.Keys.ENTER);
            wait.until(d -> state(d).contains("nearest plans of " + neighbour + " " + filter));
            assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
            assertBedrooms(driver, bedrooms, expected(m -> bedrooms.equals(meta(m, "rooms.bedroom")), neighbour));

            // A phone-sized screen: the filter row wraps, nothing is wider than the screen.
            driver.manage().window().setSize(new Dimension(390, 1600));
            long overflow = (Long) ((org.openqa.selenium.JavascriptExecutor) driver)
                    .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(overflow).as("horizontal overflow on a phone-sized screen, by %s", overflowing(driver)).isLessThanOrEqualTo(0);
            ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("document.getElementById('query').scrollIntoView();");
            save(driver, "page-filters-phone.png");

            // (d) Delete: refused for a plan that is gone already (the server's message), done for one that is not.
            WebElement gone = cards(driver).get(0);
            String goneId = gone.getAttribute("data-id");
            gone.findElement(By.tagName("button")).click();
            wait.until(d -> state(d).contains("nearest plans of " + goneId + " "));
            given().delete("/images/" + goneId).then().statusCode(200).body("deleted", equalTo(true));
            String notFound = given().delete("/images/" + goneId).then().statusCode(404).extract().path("message");
            driver.findElement(By.id("delete")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(d -> d.findElement(By.id("error")).isDisplayed());
            assertThat(text(driver, "error")).isEqualTo("Delete refused: " + notFound);
            assertThat(driver.findElement(By.id("query")).isDisplayed()).isTrue();

            WebElement doomed = cards(driver).get(0);
            String doomedId = doomed.getAttribute("data-id");
            doomed.findElement(By.tagName("button")).click();
            wait.until(d -> state(d).contains("nearest plans of " + doomedId + " "));
            given().get("/images/" + doomedId).then().statusCode(200);
            driver.findElement(By.id("delete")).click();
            // Dismissing the question deletes nothing.
            wait.until(ExpectedConditions.alertIsPresent()).dismiss();
            given().get("/images/" + doomedId).then().statusCode(200);
            driver.findElement(By.id("delete")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(d -> state(d).equals(doomedId + " deleted"));
            assertThat(driver.findElement(By.id("query")).isDisplayed()).isFalse();
            assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
            assertThat(cards(driver)).isEmpty();
            given().get("/images/" + doomedId).then().statusCode(404);
        } finally {
            driver.quit();
            Files.deleteIfExists(query);
        }
    }

    /** The neighbour cards each show {@code bedrooms} bedrooms, and there are {@code expected} of them. */
    private static void assertBedrooms(WebDriver driver, String bedrooms, int expected) {
        int b = Integer.parseInt(bedrooms);
        assertThat(cards(driver)).as("cards with " + bedrooms + " bedrooms").hasSize(expected)
                .allSatisfy(c -> assertThat(rooms(c)[1]).as("bedrooms on card " + c.getAttribute("data-id")).isEqualTo(b))
                .allSatisfy(c -> assertThat(c.getText()).contains(", " + b + (b == 1 ? " bedroom" : " bedrooms")));
    }

    /** The page's neighbour list for a condition: the indexed plans meeting it, the one searched from left out, at most a page. */
    private static int expected(java.util.function.Predicate<Map<String, Object>> condition, String searchedFrom) {
        long n = listing().stream().filter(m -> Boolean.TRUE.equals(m.get("indexed")) && !searchedFrom.equals(m.get("id")))
                .filter(condition).count();
        return (int) Math.min(PAGE, n);
    }

    /** All stored plans, as {@code GET /images} lists them. */
    private static List<Map<String, Object>> listing() {
        Response r = given().queryParam("limit", 1000).get("/images");
        r.then().statusCode(200);
        assertThat(r.<String>path("nextCursor")).as("one listing page holds them all").isNull();
        return r.path("images");
    }

    private static java.util.Set<String> indexedIds(List<Map<String, Object>> images) {
        return images.stream().filter(m -> Boolean.TRUE.equals(m.get("indexed"))).map(m -> (String) m.get("id"))
                .collect(java.util.stream.Collectors.toSet());
    }

    @SuppressWarnings("unchecked")
    private static String meta(Map<String, Object> image, String key) {
        Map<String, String> meta = (Map<String, String>) image.get("metadata");
        return meta == null || meta.get(key) == null ? "-1" : meta.get(key);
    }

    /** The value of {@code key} most indexed plans have. */
    private static String mostCommon(List<Map<String, Object>> images, String key) {
        return images.stream().filter(m -> Boolean.TRUE.equals(m.get("indexed"))).map(m -> meta(m, key)).filter(v -> !v.equals("-1"))
                .collect(java.util.stream.Collectors.groupingBy(v -> v, java.util.stream.Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static List<WebElement> cards(WebDriver d) {
        return d.findElements(By.cssSelector("#neighbours li.hit"));
    }

    private static List<String> cardIds(WebDriver d) {
        return cards(d).stream().map(e -> e.getAttribute("data-id")).toList();
    }

    private static final java.util.regex.Pattern CARD_ROOMS = java.util.regex.Pattern.compile("(\\d+) rooms, (\\d+) bedrooms?");
    private static final java.util.regex.Pattern CARD_SCORE = java.util.regex.Pattern.compile("score (-?\\d+\\.\\d+)");
    private static final java.util.regex.Pattern STATE = java.util.regex.Pattern.compile("(\\d+) nearest plans of (\\S+) .*");

    /** A card's rooms and bedrooms, as it shows them. */
    private static int[] rooms(WebElement card) {
        java.util.regex.Matcher m = CARD_ROOMS.matcher(card.getText());
        assertThat(m.find()).as("rooms on card: " + card.getText()).isTrue();
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private static double score(WebElement card) {
        java.util.regex.Matcher m = CARD_SCORE.matcher(card.getText());
        assertThat(m.find()).as("score on card: " + card.getText()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String state(WebDriver d) {
        return text(d, "search-state");
    }

    /** The hits the state line counts, or -1 when it counts none. */
    private static int stateCount(WebDriver d) {
        java.util.regex.Matcher m = STATE.matcher(state(d));
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static String queryId(WebDriver d) {
        java.util.regex.Matcher m = STATE.matcher(state(d));
        assertThat(m.matches()).as("state line: " + state(d)).isTrue();
        return m.group(2);
    }

    /** A full first page of neighbours of {@code id} with no filter. */
    private static boolean unfiltered(WebDriver d, String id) {
        return state(d).startsWith(PAGE + " nearest plans of " + id + " in model version");
    }

    /** Replaces a field's text as a user would: select all, delete, type. */
    private static void type(WebDriver d, String id, String value) {
        WebElement input = d.findElement(By.id(id));
        input.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), org.openqa.selenium.Keys.BACK_SPACE);
        if (!value.isEmpty()) {
            input.sendKeys(value);
        }
    }

    /** The elements reaching past the window's right edge, for a message. */
    private static Object overflowing(WebDriver d) {
        return ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)"
                        + ".slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')"
                        + " + ' right ' + Math.round(e.getBoundingClientRect().right));");
    }

    private static void assumeBrowser() {
        Optional<String> missing = Chromium.missing();
        String why = missing.map(m -> "browser test skipped: " + m
                + "; install chromium and chromedriver with app/src/test/browser/install-chromium.sh (as root, with apt)").orElse("");
        if (missing.isPresent()) {
            // Surefire's summary counts a skip without its reason: the test's log says it too.
            LOG.warn(why);
        }
        assumeTrue(missing.isEmpty(), why);
    }

    /** Waits on the page; a timeout says what the page shows and saves a screenshot. */
    private static WebDriverWait pageWait(WebDriver driver) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(200)) {
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
    }

    private static String upload(byte[] png) {
        return given().contentType("image/png").body(png).post("/images").then().statusCode(202).extract().path("id");
    }

    private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        Await.until(what, WAIT, condition::get, () -> "status " + given().get("/status").asString());
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
