package io.planstream.ingest.generate;

import java.nio.file.Path;

/**
 * What a bulk run wrote.
 *
 * @param directory where the PNGs and the attributes file are
 * @param attributes the {@code attributes.jsonl} file, one JSON object per plan
 * @param count plans written
 * @param seed the run's seed; the same seed writes byte-identical files
 */
public record GenerationResult(Path directory, Path attributes, int count, long seed) {
}
