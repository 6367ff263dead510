package io.planstream.trainer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What one training round did.
 *
 * @param round this trainer's round number, from 1
 * @param trigger why it ran: {@code images}, {@code schedule} or {@code operator}
 * @param outcome published, rejected by the gate, skipped before training, or failed
 * @param reason the gate's reason, or why it was skipped or failed
 * @param parentVersion the version it continued from, or null for a first model
 * @param publishedVersion the version it published, or null
 * @param trainImages images it trained on
 * @param heldOutImages images it was judged on
 * @param steps optimiser steps it took
 * @param current the current model's metrics on the held-out images (empty without one)
 * @param candidate the candidate's metrics on the same images (empty where it did not get that far)
 * @param lossPlot the round's training-loss curve, or null
 */
public record RoundResult(int round, String trigger, Outcome outcome, String reason, Instant started, Duration took,
                          Integer parentVersion, Integer publishedVersion, int trainImages, int heldOutImages, long steps,
                          Map<String, Double> current, Map<String, Double> candidate, Path lossPlot) {

    /** How a round ended. */
    public enum Outcome {
        PUBLISHED, REJECTED, SKIPPED, FAILED
    }

    public RoundResult {
        current = Map.copyOf(current);
        candidate = Map.copyOf(candidate);
    }
}
