package io.planstream.ingest.generate;

/** Told after each plan a bulk run writes, e.g. to drive a progress bar. */
@FunctionalInterface
public interface GenerationProgress {

    /** @param done plans written so far, 1..count */
    void planWritten(int done);

    static GenerationProgress none() {
        return done -> { };
    }
}
