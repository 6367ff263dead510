package io.planstream.simclr.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.planstream.simclr.SimClrEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InferenceEncoderTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get().setRandomSeed(4);
    }

    /** Trains batch-norm statistics a little so that folding has something to fold. */
    private static void warmStatistics(ResNet net, NDManager m, EncoderSpec spec) {
        ParameterStore ps = new ParameterStore(m, false);
        for (int i = 0; i < 3; i++) {
            NDArray x = m.randomNormal(0.3f, 2f, spec.inputShape(8), DataType.FLOAT32);
            net.forward(ps, new NDList(x), true);
        }
        // non-trivial scales and shifts, including the zero-initialised last norms
        net.getParameters().forEach(p -> {
            String name = p.getKey();
            if (name.endsWith("gamma") || name.endsWith("beta")) {
                NDArray a = p.getValue().getArray();
                a.addi(m.randomUniform(0.1f, 0.5f, a.getShape()));
            }
        });
    }

    @Test
    void foldedNetworkMatchesInferenceForward() {
        String[][] cases = {{"resnet-mini", "small", "16"}, {"resnet50", "imagenet", "32"}};
        for (String[] c : cases) {
            EncoderSpec spec = EncoderSpec.of(c[0], 1, c[1], 3, Integer.parseInt(c[2]));
            try (NDManager m = NDManager.newBaseManager()) {
                ResNet net = spec.build();
                net.initialize(m, DataType.FLOAT32, spec.inputShape(2));
                warmStatistics(net, m, spec);
                NDArray x = m.randomUniform(-1, 1, spec.inputShape(4));
                float[] expected =
                        net.forward(new ParameterStore(m, false), new NDList(x), false).head().toFloatArray();
                int before = m.getManagedArrays().size();
                try (InferenceEncoder fused = InferenceEncoder.of(net, m)) {
                    NDArray h = fused.embed(x);
                    assertThat(h.getShape()).isEqualTo(new Shape(4, spec.embeddingDim()));
                    float[] got = h.toFloatArray();
                    double maxAbs = 0;
                    double maxDiff = 0;
                    for (int i = 0; i < got.length; i++) {
                        maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
                        maxDiff = Math.max(maxDiff, Math.abs(expected[i] - got[i]));
                    }
                    assertThat(maxAbs).as(c[0]).isGreaterThan(1e-2);
                    assertThat(maxDiff).as(c[0]).isLessThan(1e-4 * maxAbs + 1e-6);
                }
                // the folded weights are gone with the encoder; the caller holds h and nothing else
                assertThat(m.getManagedArrays().size()).isEqualTo(before + 1);
            }
        }
    }
}
