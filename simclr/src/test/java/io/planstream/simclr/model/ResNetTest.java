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

class ResNetTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get().setRandomSeed(7);
    }

    private static long trainable(EncoderSpec spec) {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = spec.build();
            net.initialize(m, DataType.FLOAT32, spec.inputShape(1));
            return Encoders.parameterCount(net, true);
        }
    }

    @Test
    void resNet50WithoutClassifierHasPublishedParameterCount() {
        // torchvision resnet50: 25,557,032 minus the 2048x1000 fc and its bias = 23,508,032.
        long count = trainable(EncoderSpec.of("resnet50", 1, "imagenet", 3, 224));
        assertThat((double) count).isCloseTo(23_508_032d, within(23_508_032d * 0.005));
        assertThat(count).isEqualTo(23_508_032L);
    }

    @Test
    void resNet18WithoutClassifierHasPublishedParameterCount() {
        // torchvision resnet18: 11,689,512 minus the 512x1000 fc and its bias = 11,176,512.
        long count = trainable(EncoderSpec.of("resnet18", 1, "imagenet", 3, 224));
        assertThat((double) count).isCloseTo(11_176_512d, within(11_176_512d * 0.005));
        assertThat(count).isEqualTo(11_176_512L);
    }

    @Test
    void resNet34WithoutClassifierHasPublishedParameterCount() {
        // torchvision resnet34: 21,797,672 minus 513,000 = 21,284,672.
        assertThat(trainable(EncoderSpec.of("resnet34", 1, "imagenet", 3, 224)))
                .isEqualTo(21_284_672L);
    }

    @Test
    void smallStemOnlyChangesTheFirstConvolution() {
        // 7x7x3x64 = 9408 weights become 3x3x3x64 = 1728.
        assertThat(trainable(EncoderSpec.of("resnet18", 1, "small", 3, 32)))
                .isEqualTo(11_176_512L - 9408 + 1728);
    }

    @Test
    void outputDimensionsFollowArchitectureAndWidth() {
        assertThat(EncoderSpec.of("resnet18", 1, "small", 3, 32).embeddingDim()).isEqualTo(512);
        assertThat(EncoderSpec.of("resnet34", 2, "small", 3, 32).embeddingDim()).isEqualTo(1024);
        assertThat(EncoderSpec.of("resnet50", 1, "small", 3, 32).embeddingDim()).isEqualTo(2048);
        assertThat(EncoderSpec.of("resnet50", 4, "small", 3, 32).embeddingDim()).isEqualTo(8192);
        assertThat(EncoderSpec.of("resnet-mini", 1, "small", 3, 32).embeddingDim()).isEqualTo(128);
    }

    @Test
    void widthMultiplierScalesParametersRoughlyQuadratically() {
        long w1 = trainable(EncoderSpec.of("resnet-mini", 1, "small", 3, 28));
        long w2 = trainable(EncoderSpec.of("resnet-mini", 2, "small", 3, 28));
        assertThat((double) w2 / w1).isBetween(3.8, 4.0);
    }

    @Test
    void forwardGivesOneVectorPerImageForEveryStemAndArchitecture() {
        String[][] cases = {
            {"resnet18", "small", "16", "512"},
            {"resnet18", "imagenet", "32", "512"},
            {"resnet50", "small", "8", "2048"},
            {"resnet-mini", "small", "28", "128"},
            {"resnet-mini", "imagenet", "40", "128"},
        };
        for (String[] c : cases) {
            EncoderSpec spec = EncoderSpec.of(c[0], 1, c[1], 4, Integer.parseInt(c[2]));
            try (NDManager m = NDManager.newBaseManager()) {
                ResNet net = spec.build();
                net.initialize(m, DataType.FLOAT32, spec.inputShape(2));
                NDArray x = m.randomUniform(0, 1, spec.inputShape(2));
                for (boolean training : new boolean[] {true, false}) {
                    NDArray h =
                            net.forward(new ParameterStore(m, false), new NDList(x), training)
                                    .singletonOrThrow();
                    assertThat(h.getShape()).as(String.join(",", c)).isEqualTo(
                            new Shape(2, Long.parseLong(c[3])));
                    assertThat(h.isNaN().any().getBoolean()).isFalse();
                }
                assertThat(net.getOutputShapes(new Shape[] {spec.inputShape(2)})[0])
                        .isEqualTo(new Shape(2, Long.parseLong(c[3])));
            }
        }
    }

    @Test
    void specRejectsWhatCannotBeBuilt() {
        assertThatThrownBy(() -> EncoderSpec.of("resnet101", 1, "small", 3, 32))
                .hasMessageContaining("resnet101");
        assertThatThrownBy(() -> EncoderSpec.of("resnet18", 3, "small", 3, 32))
                .hasMessageContaining("width");
        assertThatThrownBy(() -> EncoderSpec.of("resnet18", 1, "tiny", 3, 32))
                .hasMessageContaining("stem");
        assertThatThrownBy(() -> EncoderSpec.of("resnet18", 1, "imagenet", 3, 16))
                .hasMessageContaining("inputSize");
        assertThatThrownBy(() -> EncoderSpec.of("resnet18", 1, "small", 0, 32))
                .hasMessageContaining("inputChannels");
        assertThat(EncoderSpec.of("resnet18", 3, 32).stem()).isEqualTo(Stem.SMALL);
        assertThat(EncoderSpec.of("resnet18", 3, 224).stem()).isEqualTo(Stem.IMAGENET);
    }
}
