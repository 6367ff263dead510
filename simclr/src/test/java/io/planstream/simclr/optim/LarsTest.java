package io.planstream.simclr.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ProjectionHeadSpec;
import io.planstream.simclr.model.SimClrModel;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LarsTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    private static Lars lars(float lr, float wd, float momentum) {
        return Lars.builder()
                .setLearningRateTracker(Tracker.fixed(lr))
                .setParameterNames(Map.of("id-w", "conv_weight", "id-b", "conv_bias"))
                .optWeightDecays(wd)
                .optMomentum(momentum)
                .optEta(0.001f)
                .build();
    }

    @Test
    void shouldScaleTheStepByTheTrustRatioComputedByHand() {
        // w = (3, 4), ||w|| = 5; grad = (1, 2), wd = 0.1: g = (1.3, 2.4), ||g|| = sqrt(7.45).
        // ratio = 0.001 x 5 / sqrt(7.45) = 0.00183186; lr = 2: step = 2 x ratio x g.
        double ratio = 0.001 * 5 / Math.sqrt(7.45);
        double[] expected1 = {3 - 2 * ratio * 1.3, 4 - 2 * ratio * 2.4};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {3, 4});
            Lars opt = lars(2f, 0.1f, 0.9f);
            opt.update("id-w", w, m.create(new float[] {1, 2}));
            assertThat((double) w.getFloat(0)).isCloseTo(expected1[0], within(1e-6));
            assertThat((double) w.getFloat(1)).isCloseTo(expected1[1], within(1e-6));

            // second step: the velocity keeps 0.9 of the first step
            double[] v1 = {2 * ratio * 1.3, 2 * ratio * 2.4};
            double[] g2 = {1 + 0.1 * expected1[0], 2 + 0.1 * expected1[1]};
            double wn = Math.hypot(expected1[0], expected1[1]);
            double ratio2 = 0.001 * wn / Math.hypot(g2[0], g2[1]);
            double[] expected2 = {
                expected1[0] - (0.9 * v1[0] + 2 * ratio2 * g2[0]),
                expected1[1] - (0.9 * v1[1] + 2 * ratio2 * g2[1])
            };
            opt.update("id-w", w, m.create(new float[] {1, 2}));
            assertThat((double) w.getFloat(0)).isCloseTo(expected2[0], within(1e-6));
            assertThat((double) w.getFloat(1)).isCloseTo(expected2[1], within(1e-6));
        }
    }

    @Test
    void shouldClearTheGradientItConsumedBecauseDjlAccumulatesThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {3, 4});
            w.setRequiresGradient(true);
            Lars opt = lars(1f, 0f, 0f);
            float[] firstGrad = null;
            for (int step = 0; step < 2; step++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.mul(w).sum()); // gradient 2w
                }
                try (NDArray g = w.getGradient()) {
                    float[] grad = g.toFloatArray();
                    if (step == 0) {
                        firstGrad = grad;
                    } else {
                        // 2w of the updated weights, not the sum of both steps' gradients
                        assertThat(grad[0]).isCloseTo(2 * w.getFloat(0), within(1e-5f));
                    }
                    opt.update("id-w", w, g.duplicate());
                }
                try (NDArray g = w.getGradient()) {
                    assertThat(g.toFloatArray()).containsOnly(0f);
                }
            }
            assertThat(firstGrad).containsExactly(new float[] {6, 8}, within(1e-6f));
        }
    }

    @Test
    void biasesSkipDecayAndAdaptation() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray b = m.create(new float[] {3, 4});
            lars(2f, 0.1f, 0.9f).update("id-b", b, m.create(new float[] {1, 2}));
            // plain SGD step: b - lr x grad
            assertThat(b.toFloatArray()).containsExactly(new float[] {1, 0}, within(1e-6f));
        }
    }

    @Test
    void zeroWeightsFallBackToRatioOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.zeros(new ai.djl.ndarray.types.Shape(2));
            lars(0.5f, 0f, 0.9f).update("id-w", w, m.create(new float[] {1, -2}));
            assertThat(w.toFloatArray()).containsExactly(new float[] {-0.5f, 1f}, within(1e-6f));
        }
    }

    @Test
    void excludesEveryBiasAndBatchNormParameterOfTheModelAndNothingElse() {
        SimClrModel model =
                SimClrModel.builder()
                        .setEncoder(EncoderSpec.of("resnet-mini", 1, "small", 3, 16))
                        .optHead(ProjectionHeadSpec.v2())
                        .build();
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, DataType.FLOAT32, model.encoderSpec().inputShape(2));
        }
        Lars opt =
                Lars.builder()
                        .setLearningRateTracker(Tracker.fixed(0.1f))
                        .setParameterNames(model)
                        .build();
        int excluded = 0;
        int adapted = 0;
        for (Pair<String, Parameter> p : model.getParameters()) {
            Parameter.Type type = p.getValue().getType();
            boolean shouldSkip = type != Parameter.Type.WEIGHT;
            assertThat(opt.isExcluded(p.getValue().getId())).as(p.getKey()).isEqualTo(shouldSkip);
            if (shouldSkip) {
                excluded++;
            } else {
                adapted++;
            }
        }
        // resnet-mini: 1 stem conv + 4 units x 2 convs + 3 projection shortcuts, plus 3 linear layers
        assertThat(adapted).isEqualTo(1 + 8 + 3 + 3);
        assertThat(excluded).isGreaterThan(40);
    }

    @Test
    void builderInsistsOnWhatItNeeds() {
        assertThatThrownBy(() -> Lars.builder().setParameterNames(Map.of()).build())
                .hasMessageContaining("learning-rate");
        assertThatThrownBy(() -> Lars.builder().setLearningRateTracker(Tracker.fixed(1)).build())
                .hasMessageContaining("parameter names");
    }
}
