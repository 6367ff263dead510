package io.planstream.simclr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.planstream.simclr.SimClrEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimClrModelTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get().setRandomSeed(2);
    }

    @Test
    void forwardGivesRepresentationAndProjection() {
        EncoderSpec spec = EncoderSpec.of("resnet-mini", 2, "small", 1, 12);
        SimClrModel model = SimClrModel.builder().setEncoder(spec).build();
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            NDArray x = m.randomUniform(0, 1, spec.inputShape(3));
            NDList out = model.forward(new ParameterStore(m, false), new NDList(x), true);
            assertThat(out).hasSize(2);
            assertThat(out.get(0).getShape()).isEqualTo(new Shape(3, 256));
            assertThat(out.get(1).getShape()).isEqualTo(new Shape(3, 128));
            // the encoder alone, sharing the parameters, gives the same h in inference mode
            NDArray h = model.encoder().forward(new ParameterStore(m, false), new NDList(x), false).head();
            NDArray h2 = model.forward(new ParameterStore(m, false), new NDList(x), false).head();
            assertThat(h.toFloatArray()).containsExactly(h2.toFloatArray());
        }
    }

    @Test
    void headsHaveSimClrShapesAndParameterCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            // v1 on ResNet-50: 2048x2048 + 2048 and 2048x128 + 128
            ProjectionHead v1 = ProjectionHead.builder().setInputDim(2048).setSpec(ProjectionHeadSpec.v1()).build();
            v1.initialize(m, DataType.FLOAT32, new Shape(2, 2048));
            assertThat(Encoders.parameterCount(v1, true)).isEqualTo(2048L * 2048 + 2048 + 2048L * 128 + 128);
            // v2: three layers with batch norm, no linear biases, no shift on the last norm
            ProjectionHead v2 = ProjectionHead.builder().setInputDim(512).setSpec(ProjectionHeadSpec.v2()).build();
            v2.initialize(m, DataType.FLOAT32, new Shape(2, 512));
            long expected = 2L * (512 * 512 + 2 * 512) + 512 * 128 + 128;
            assertThat(Encoders.parameterCount(v2, true)).isEqualTo(expected);
            assertThat(v2.spec().hiddenDim()).isEqualTo(512);
            NDArray z = v2.forward(new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(4, 512))), true)
                    .singletonOrThrow();
            assertThat(z.getShape()).isEqualTo(new Shape(4, 128));
        }
    }

    @Test
    void headWithoutBatchNormHasReluBetweenLayers() {
        try (NDManager m = NDManager.newBaseManager()) {
            ProjectionHead head = ProjectionHead.builder()
                    .setInputDim(4)
                    .setSpec(new ProjectionHeadSpec(2, 8, 3, false))
                    .build();
            head.initialize(m, DataType.FLOAT32, new Shape(1, 4));
            // scaling the input by -1 would negate a purely linear map (minus the bias); ReLU breaks that
            NDArray x = m.randomNormal(new Shape(16, 4));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray a = head.forward(ps, new NDList(x), false).head();
            NDArray b = head.forward(ps, new NDList(x.neg()), false).head();
            NDArray zero = head.forward(ps, new NDList(x.zerosLike()), false).head();
            double linearity = a.add(b).sub(zero.mul(2)).abs().max().getFloat();
            assertThat(linearity).isGreaterThan(1e-3);
        }
    }

    @Test
    void normalizationMapsTheUnitRangeAndChecksChannels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0f, 0.5f, 1f, 1f}, new Shape(1, 2, 1, 2));
            float[] y = Normalization.centred(2).apply(x).toFloatArray();
            assertThat(y).containsExactly(new float[] {-1f, 0f, 1f, 1f}, within(1e-6f));
            assertThatThrownBy(() -> Normalization.imagenet().apply(x)).hasMessageContaining("3 channels");
            assertThatThrownBy(() -> new Normalization(new float[] {0.5f}, new float[] {0f}))
                    .hasMessageContaining("std");
        }
    }

    @Test
    void buildersInsistOnWhatTheyNeed() {
        assertThatThrownBy(() -> SimClrModel.builder().build()).hasMessageContaining("encoder");
        assertThatThrownBy(() -> ProjectionHead.builder().setSpec(ProjectionHeadSpec.v1()).build())
                .hasMessageContaining("inputDim");
        assertThatThrownBy(() -> new ProjectionHeadSpec(0, 0, 128, false)).hasMessageContaining("layers");
        assertThatThrownBy(() -> ResNet.builder().setDepths(2, 2).build()).hasMessageContaining("unit");
        assertThatThrownBy(() -> ResNet.builder().setUnit(ResidualUnit.Kind.BASIC).setDepths(2, 2).build())
                .hasMessageContaining("one entry per stage");
    }
}
