package io.planstream.simclr.eval;

/** Told how far a long evaluation step has come, e.g. to move a progress bar. */
@FunctionalInterface
public interface ProgressListener {

    /**
     * @param done items finished so far
     * @param total items in the whole step
     */
    void update(long done, long total);

    /** @return a listener that ignores every update */
    static ProgressListener none() {
        return (done, total) -> {};
    }
}
