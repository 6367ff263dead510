package io.planstream.app.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.planstream.app.TestImages;
import io.planstream.ingest.image.ImageLimits;
import io.planstream.ingest.image.InvalidImageException;
import io.planstream.ingest.image.UploadValidator;
import io.planstream.ingest.image.ValidatedImage;

/**
 * The upload validator under 10,000 mutated PNG, JPEG and RPLAN files in process: every case is
 * accepted or refused with an {@link InvalidImageException} and a reason; nothing else escapes
 * (no decoder exception, no error), no case takes seconds, and the hostile specimens are refused
 * from their headers.
 */
class ValidatorFuzzTest {

    static final long SEED = Long.getLong("planstream.fuzz.seed", 20261128L);
    static final int CASES = Integer.getInteger("planstream.fuzz.validator-cases", 10_000);

    private final UploadValidator validator = new UploadValidator(ImageLimits.defaults());

    @Test
    void everyMutatedUploadIsAcceptedOrRefusedWithAReason() throws IOException {
        UploadMutator mutator = UploadMutator.create(SEED, TestImages.sharedData(), 6);
        Map<String, Integer> outcomes = new TreeMap<>();
        long slowest = 0;
        UploadMutator.Case slowestCase = null;
        for (int i = 0; i < CASES; i++) {
            UploadMutator.Case c = mutator.next();
            long start = System.nanoTime();
            String outcome = run(c);
            long nanos = System.nanoTime() - start;
            outcomes.merge(outcome, 1, Integer::sum);
            if (nanos > slowest) {
                slowest = nanos;
                slowestCase = c;
            }
        }
        System.out.printf("validator fuzz: seed %d, %d cases, outcomes %s, slowest %.1f ms (%s)%n", SEED, CASES, outcomes,
                slowest / 1e6, slowestCase);
        assertThat(outcomes.getOrDefault("accepted", 0)).as("some mutants still decode").isPositive();
        assertThat(outcomes.keySet().stream().filter(k -> !k.equals("accepted")).count()).as("several kinds of refusal")
                .isGreaterThanOrEqualTo(4);
        assertThat(slowest).as("slowest case: %s", slowestCase).isLessThan(5_000_000_000L);
    }

    @Test
    void hostileSpecimensAreRefusedBeforeDecoding() throws IOException {
        Map<Long, String> expected = Map.of(-1L, "dimensions_too_large", -2L, "dimensions_too_large", -3L, "dimensions_too_large",
                -6L, "dimensions_too_large", -7L, "dimensions_too_large", -8L, "empty_body");
        for (UploadMutator.Case c : UploadMutator.specimens()) {
            Runtime rt = Runtime.getRuntime();
            long before = rt.totalMemory() - rt.freeMemory();
            long start = System.nanoTime();
            String outcome = run(c);
            long millis = (System.nanoTime() - start) / 1_000_000;
            long grew = rt.totalMemory() - rt.freeMemory() - before;
            System.out.printf("specimen %s: %s in %d ms, heap +%d KB%n", c, outcome, millis, grew / 1024);
            if (expected.containsKey((long) c.number())) {
                assertThat(outcome).as("%s", c).isEqualTo(expected.get((long) c.number()));
                // Refused from the header: no pixel buffer of the claimed size was ever allocated.
                assertThat(grew).as("heap growth for %s", c).isLessThan(64L << 20);
            } else if (c.number() != -10) {
                assertThat(outcome).as("%s", c).isNotEqualTo("accepted");
            }
        }
    }

    /** "accepted" or the refusal's reason code; anything else thrown fails the test with the case saved. */
    private String run(UploadMutator.Case c) throws IOException {
        try {
            ValidatedImage v = validator.validate(c.bytes(), c.contentType(), c.format());
            assertThat(v.width()).isPositive();
            return "accepted";
        } catch (InvalidImageException e) {
            assertThat(e.getMessage()).as("message of %s", c).isNotBlank();
            return e.reason().code();
        } catch (Throwable t) {
            Path saved = Files.createDirectories(Path.of("target", "fuzz-failures")).resolve("validator-" + SEED + "-" + c.number() + ".bin");
            Files.write(saved, c.bytes());
            fail("%s escaped as %s (bytes saved to %s)", c, t, saved, t);
            return "unreachable";
        }
    }
}
