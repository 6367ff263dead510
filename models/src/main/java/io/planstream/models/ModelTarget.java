package io.planstream.models;

import java.util.Map;
import java.util.OptionalInt;

import io.planstream.avro.ModelState;
import io.planstream.avro.ModelVersion;

/**
 * Which model version the pipeline should run, decided from the states of all versions alone, so
 * every process that reads the same models topic reaches the same answer.
 *
 * <p>The rule: the highest {@link ModelState#PINNED} version if there is one; otherwise the highest
 * {@link ModelState#PUBLISHED} or {@link ModelState#ACTIVE} version. {@link ModelState#RETIRED} and
 * {@link ModelState#REJECTED} versions are never chosen.
 *
 * <p>Pinning is how an operator rolls back: pin an older, known-good version and the pipeline returns
 * to it, however many newer versions trainers publish meanwhile. Unpinning (setting the version back to
 * {@code PUBLISHED} or {@code ACTIVE}) returns the pipeline to the newest eligible version. Rejecting a
 * bad new version has the same immediate effect without a pin, but the next published version is
 * taken up again automatically.
 */
public final class ModelTarget {

    private ModelTarget() {
    }

    /**
     * The version to run, or empty when no version is eligible.
     *
     * @param versions model records keyed by version, as {@link ModelLog#readAll} returns them
     */
    public static OptionalInt select(Map<Integer, ModelVersion> versions) {
        int pinned = -1;
        int newest = -1;
        for (Map.Entry<Integer, ModelVersion> e : versions.entrySet()) {
            int version = e.getKey();
            ModelState state = e.getValue().getState();
            if (state == ModelState.PINNED) {
                pinned = Math.max(pinned, version);
            } else if (state == ModelState.PUBLISHED || state == ModelState.ACTIVE) {
                newest = Math.max(newest, version);
            }
        }
        if (pinned >= 0) {
            return OptionalInt.of(pinned);
        }
        return newest >= 0 ? OptionalInt.of(newest) : OptionalInt.empty();
    }

    /** Whether {@code v} may run at all: published, active or pinned, not retired or rejected. */
    public static boolean runnable(ModelVersion v) {
        ModelState state = v.getState();
        return state == ModelState.PUBLISHED || state == ModelState.ACTIVE || state == ModelState.PINNED;
    }
}
