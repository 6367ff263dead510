package io.planstream.simclr.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.planstream.simclr.SimClrEngine;
import io.planstream.simclr.model.EncoderSpec;
import io.planstream.simclr.model.ResNet;

class FlopCounterTest {

    /** Published multiply-add counts at 224x224 (He et al. 2016, table 1): 1.8 G and 3.6 G (x2 for FLOPs). */
    @Test
    void shouldMatchThePublishedArithmeticOfResNets() {
        assertThat(gflops("resnet18", "imagenet", 224)).isCloseTo(2 * 1.82, within(0.04));
        assertThat(gflops("resnet34", "imagenet", 224)).isCloseTo(2 * 3.67, within(0.08));
    }

    @Test
    void shouldScaleWithTheNumberOfPixelsAndNotWithTheBatch() {
        double at32 = gflops("resnet18", "small", 32);
        double at64 = gflops("resnet18", "small", 64);
        assertThat(at64 / at32).isCloseTo(4.0, within(0.01));
        // ResNet-18 with the small stem at 32x32: about 0.56 G multiply-adds (the stem keeps full resolution).
        assertThat(at32).isCloseTo(2 * 0.556, within(0.02));
    }

    private static double gflops(String name, String stem, int size) {
        EncoderSpec spec = EncoderSpec.of(name, 1, stem, 3, size);
        ResNet net = spec.build();
        try (NDManager m = SimClrEngine.get().newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, spec.inputShape(2));
            return FlopCounter.forwardFlopsPerImage(net) / 1e9;
        }
    }
}
