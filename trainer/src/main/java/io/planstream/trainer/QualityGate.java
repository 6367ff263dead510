package io.planstream.trainer;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.planstream.simclr.eval.QualityReport;

/**
 * Decides whether a candidate model may replace the current one, from both models' metrics on the
 * same held-out images (same views, same seed).
 *
 * <p>Three checks, each with the configured margin: the held-out NT-Xent loss may not rise by more than
 * {@code margin} (relative: 0.02 allows 2% worse); where the images carry labels the kNN top-1
 * accuracy may not fall by more than {@code margin} (absolute); and where they carry room programmes the
 * retrieval mAP@10 (relevant: the same programme) may not fall by more than {@code margin} (absolute). A negative margin demands an
 * improvement of that size. Alignment and uniformity are reported, not gated: they trade against each
 * other by design (Wang and Isola 2020), so neither alone says a model got worse.
 */
public final class QualityGate {

    public static final String LOSS = QualityReport.NT_XENT;
    public static final String KNN = QualityReport.KNN_TOP1;
    public static final String RETRIEVAL = QualityReport.RETRIEVAL_MAP;
    /** A figure that may not fall by more than the margin (absolute), with its name in words. */
    private record Gated(String key, String name) {
    }

    /** The absolute checks, in the order they are made. */
    private static final List<Gated> ABSOLUTE = List.of(new Gated(KNN, "kNN top-1"), new Gated(RETRIEVAL, "retrieval mAP@10"));

    /** Most a margin may be: beyond it the gate would publish anything. */
    public static final double MAX_MARGIN = 1.0;

    /** The verdict and the reason, in words an operator reads in the log and in {@code GET /admin/train}. */
    public record Decision(boolean publish, String reason) {
    }

    private final double margin;

    public QualityGate(double margin) {
        if (!(margin >= -MAX_MARGIN && margin <= MAX_MARGIN)) {
            throw new IllegalArgumentException("margin must be in [-" + MAX_MARGIN + ", " + MAX_MARGIN + "], got: " + margin);
        }
        this.margin = margin;
    }

    public double margin() {
        return margin;
    }

    /**
     * @param current the current model's metrics, or null where there is no current model
     * @param candidate the candidate's metrics; must hold {@value #LOSS}
     */
    public Decision decide(Map<String, Double> current, Map<String, Double> candidate) {
        Double loss = candidate.get(LOSS);
        if (loss == null || !Double.isFinite(loss)) {
            return new Decision(false, "the candidate has no finite held-out loss (" + loss + ")");
        }
        if (current == null) {
            return new Decision(true, String.format(Locale.ROOT, "first model: held-out loss %.4f", loss));
        }
        double before = current.get(LOSS);
        double limit = before * (1 + margin);
        if (loss > limit) {
            return new Decision(false, String.format(Locale.ROOT,
                    "held-out loss %.4f is worse than the current model's %.4f by more than the margin %.3f (limit %.4f)",
                    loss, before, margin, limit));
        }
        StringBuilder compared = new StringBuilder();
        for (Gated gated : ABSOLUTE) {
            Double value = candidate.get(gated.key());
            Double valueBefore = current.get(gated.key());
            if (value == null || valueBefore == null) {
                continue;
            }
            if (value < valueBefore - margin) {
                return new Decision(false, String.format(Locale.ROOT,
                        "%s %.4f is below the current model's %.4f by more than the margin %.3f", gated.name(), value,
                        valueBefore, margin));
            }
            compared.append(String.format(Locale.ROOT, ", %s %.4f against %.4f", gated.name(), value, valueBefore));
        }
        return new Decision(true, String.format(Locale.ROOT, "held-out loss %.4f against %.4f (limit %.4f)%s",
                loss, before, limit, compared));
    }
}
