package io.planstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class QualityGateTest {

    private static final Map<String, Double> CURRENT = Map.of(QualityGate.LOSS, 2.0, QualityGate.KNN, 0.80);

    @Test
    void shouldPublishWithinTheMarginAndRefuseBeyondIt() {
        QualityGate gate = new QualityGate(0.05);
        assertThat(gate.decide(CURRENT, Map.of(QualityGate.LOSS, 2.09, QualityGate.KNN, 0.76)).publish()).isTrue();
        QualityGate.Decision worseLoss = gate.decide(CURRENT, Map.of(QualityGate.LOSS, 2.11, QualityGate.KNN, 0.9));
        assertThat(worseLoss.publish()).isFalse();
        assertThat(worseLoss.reason()).contains("held-out loss 2.1100").contains("2.0000").contains("limit 2.1000");
        QualityGate.Decision worseKnn = gate.decide(CURRENT, Map.of(QualityGate.LOSS, 1.5, QualityGate.KNN, 0.74));
        assertThat(worseKnn.publish()).isFalse();
        assertThat(worseKnn.reason()).contains("kNN top-1 0.7400");
    }

    @Test
    void shouldDemandAGainWithANegativeMarginAndPublishAFirstModel() {
        QualityGate gate = new QualityGate(-0.1);
        assertThat(gate.decide(CURRENT, Map.of(QualityGate.LOSS, 1.85)).publish()).isFalse();
        assertThat(gate.decide(CURRENT, Map.of(QualityGate.LOSS, 1.79)).publish()).isTrue();
        assertThat(gate.decide(null, Map.of(QualityGate.LOSS, 5.0)).publish()).isTrue();
        assertThat(gate.decide(null, Map.of(QualityGate.LOSS, Double.NaN)).publish()).isFalse();
        assertThat(gate.decide(CURRENT, Map.of()).reason()).contains("no finite held-out loss");
    }

    @Test
    void shouldGateOnRetrievalWhereBothModelsWereMeasuredOnIt() {
        QualityGate gate = new QualityGate(0.05);
        Map<String, Double> current = Map.of(QualityGate.LOSS, 2.0, QualityGate.RETRIEVAL, 0.30);
        QualityGate.Decision worse = gate.decide(current, Map.of(QualityGate.LOSS, 1.9, QualityGate.RETRIEVAL, 0.24));
        assertThat(worse.publish()).isFalse();
        assertThat(worse.reason()).contains("retrieval mAP@10 0.2400 is below the current model's 0.3000");
        QualityGate.Decision within = gate.decide(current, Map.of(QualityGate.LOSS, 1.9, QualityGate.RETRIEVAL, 0.26));
        assertThat(within.publish()).isTrue();
        assertThat(within.reason()).contains("retrieval mAP@10 0.2600 against 0.3000");
        assertThat(gate.decide(Map.of(QualityGate.LOSS, 2.0), Map.of(QualityGate.LOSS, 1.9, QualityGate.RETRIEVAL, 0.1)).publish())
                .as("the current model was not measured on it").isTrue();
    }

    @Test
    void shouldRefuseAMarginOutOfRange() {
        assertThatThrownBy(() -> new QualityGate(1.5)).hasMessageContaining("margin must be in [-1.0, 1.0]");
    }
}
