package io.planstream.simclr.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.planstream.simclr.SimClrEngine;
import java.awt.Color;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchAugmenterTest {

    @BeforeAll
    static void engine() {
        SimClrEngine.get();
    }

    /** Crop, colour and blur off: only what a test switches on happens. */
    private static AugmentationPolicy plain(int size, double flip, boolean dihedral, double gray) {
        return new AugmentationPolicy(
                "plain", size, 1, 1, 1, 1, Interpolation.BILINEAR, flip, dihedral, 0, 0, gray, 0,
                0.1, 0.1, 2.0);
    }

    private static NDArray images(NDManager m, int n, int c, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] data = new float[n * c * h * w];
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat();
        }
        return m.create(data, new Shape(n, c, h, w));
    }

    @Test
    void sameSeedGivesSameViewsAndAnotherSeedOthers() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 4, 3, 40, 36, 1);
            AugmentationPolicy p = AugmentationPolicy.imagenet(32);
            NDList a = new BatchAugmenter(p, 42).twoViews(x);
            NDList b = new BatchAugmenter(p, 42).twoViews(x);
            NDList c = new BatchAugmenter(p, 43).twoViews(x);
            assertThat(a.get(0).toFloatArray()).containsExactly(b.get(0).toFloatArray());
            assertThat(a.get(1).toFloatArray()).containsExactly(b.get(1).toFloatArray());
            assertThat(a.get(0).toFloatArray()).isNotEqualTo(a.get(1).toFloatArray());
            assertThat(a.get(0).toFloatArray()).isNotEqualTo(c.get(0).toFloatArray());
        }
    }

    @Test
    void viewsHaveTheOutputShapeValuesInRangeAndLeaveNothingBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 5, 3, 48, 40, 2);
            float[] before = x.toFloatArray();
            for (String name : new String[] {"cifar", "imagenet", "floorplan"}) {
                BatchAugmenter aug = new BatchAugmenter(AugmentationPolicy.named(name, 24), 3);
                NDArray v = aug.view(x);
                assertThat(v.getShape()).isEqualTo(new Shape(5, 3, 24, 24));
                assertThat(v.getDevice()).isEqualTo(x.getDevice());
                float[] values = v.toFloatArray();
                for (float f : values) {
                    assertThat(f).isBetween(0f, 1f);
                }
                v.close();
            }
            assertThat(x.toFloatArray()).containsExactly(before);
            // only the input is left: every temporary went with the augmenter's own sub-manager
            assertThat(m.getManagedArrays()).as(m.getManagedArrays().toString()).hasSize(1);
        }
    }

    @Test
    void floorPlanPolicyAcceptsFourChannelsAndColourPoliciesRefuseThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 2, 4, 32, 32, 4);
            assertThat(new BatchAugmenter(AugmentationPolicy.floorplan(16), 1).view(x).getShape())
                    .isEqualTo(new Shape(2, 4, 16, 16));
            assertThatThrownBy(() -> new BatchAugmenter(AugmentationPolicy.cifar(16), 1).view(x))
                    .hasMessageContaining("1 or 3 channels");
            NDArray grey = images(m, 2, 1, 28, 28, 5);
            assertThat(new BatchAugmenter(AugmentationPolicy.cifar(28), 1).view(grey).getShape())
                    .isEqualTo(new Shape(2, 1, 28, 28));
        }
    }

    @Test
    void horizontalFlipMirrorsEachRow() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 3, 3, 8, 8, 6);
            NDArray flipped = new BatchAugmenter(plain(8, 1.0, false, 0), 1).view(x);
            assertThat(flipped.toFloatArray()).containsExactly(x.flip(3).toFloatArray());
            NDArray kept = new BatchAugmenter(plain(8, 0.0, false, 0), 1).view(x);
            assertThat(kept.toFloatArray()).containsExactly(x.toFloatArray());
        }
    }

    @Test
    void grayscaleGivesEqualChannelsHoldingLuma() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 2, 3, 6, 6, 7);
            float[] in = x.toFloatArray();
            float[] out = new BatchAugmenter(plain(6, 0, false, 1.0), 1).view(x).toFloatArray();
            int plane = 36;
            for (int n = 0; n < 2; n++) {
                for (int p = 0; p < plane; p++) {
                    int base = n * 3 * plane + p;
                    double luma =
                            0.299 * in[base] + 0.587 * in[base + plane] + 0.114 * in[base + 2 * plane];
                    assertThat(out[base]).isEqualTo(out[base + plane]).isEqualTo(out[base + 2 * plane]);
                    assertThat((double) out[base]).isCloseTo(luma, within(1e-6));
                }
            }
        }
    }

    @Test
    void rotationsAndFlipsOfAFloorPlanKeepItsPixelsAndReachAllEightSymmetries() {
        AugmentationPolicy p = AugmentationPolicy.floorplan(12).withCrop(1, 1, 1, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 16, 4, 12, 12, 8);
            NDArray v = new BatchAugmenter(p, 9).view(x);
            Set<Integer> seen = new HashSet<>();
            for (int n = 0; n < 16; n++) {
                NDArray in = x.get(n);
                NDArray out = v.get(n);
                float[] a = in.toFloatArray();
                float[] b = out.toFloatArray();
                Arrays.sort(a);
                Arrays.sort(b);
                assertThat(b).containsExactly(a);
                int match = -1;
                NDArray[] symmetries = dihedral(in);
                for (int k = 0; k < symmetries.length; k++) {
                    if (Arrays.equals(symmetries[k].toFloatArray(), out.toFloatArray())) {
                        match = k;
                    }
                }
                assertThat(match).as("view %d is a symmetry of its image", n).isNotNegative();
                seen.add(match);
            }
            assertThat(seen.size()).isGreaterThanOrEqualTo(6);
        }
    }

    /** The eight symmetries of a square (C, H, W) image. */
    private static NDArray[] dihedral(NDArray img) {
        NDArray[] out = new NDArray[8];
        NDArray r = img;
        for (int k = 0; k < 4; k++) {
            out[2 * k] = r;
            out[2 * k + 1] = r.flip(2);
            r = r.transpose(0, 2, 1).flip(2);
        }
        return out;
    }

    @Test
    void cropsFollowTheScaleAndAspectDistribution() {
        AugmentationPolicy p = AugmentationPolicy.imagenet(224);
        Random r = new Random(5);
        int draws = 20_000;
        double sum = 0;
        double sumLogAspect = 0;
        int small = 0;
        for (int i = 0; i < draws; i++) {
            CropBox c = BatchAugmenter.sampleCrop(r, 224, 224, p);
            double f = c.areaFraction(224, 224);
            assertThat(f).isBetween(0.078, 1.0);
            assertThat(Math.abs(Math.log(c.aspect()))).isLessThan(Math.log(4.0 / 3) + 0.02);
            assertThat(c.top() + c.height()).isLessThanOrEqualTo(224);
            assertThat(c.left() + c.width()).isLessThanOrEqualTo(224);
            sum += f;
            sumLogAspect += Math.log(c.aspect());
            if (f < 0.3) {
                small++;
            }
        }
        // Uniform area in [0.08, 1] would average 0.54; rejecting boxes that do not fit brings it
        // to about 0.48 (200k-draw simulation of torchvision's procedure), with 27.8% under 0.3.
        assertThat(sum / draws).isBetween(0.465, 0.495);
        assertThat((double) small / draws).isBetween(0.26, 0.30);
        assertThat(sumLogAspect / draws).isCloseTo(0.0, within(0.01));
    }

    @Test
    void cropOfAConstantImageIsConstantAndARampStaysARamp() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray constant = m.full(new Shape(3, 3, 30, 20), 0.37f);
            float[] out = new BatchAugmenter(AugmentationPolicy.cifar(16), 1).view(constant).toFloatArray();
            // colour jitter scales a constant image but keeps it constant within each image
            for (int n = 0; n < 3; n++) {
                float first = out[n * 3 * 256];
                for (int i = 0; i < 256; i++) {
                    assertThat(out[n * 3 * 256 + i]).isCloseTo(first, within(1e-5f));
                }
            }
            // a horizontal ramp shrunk 2x: interior columns sit at the mean position of their source
            float[] ramp = new float[32 * 32];
            for (int y = 0; y < 32; y++) {
                for (int xx = 0; xx < 32; xx++) {
                    ramp[y * 32 + xx] = (xx + 0.5f) / 32;
                }
            }
            NDArray img = m.create(ramp, new Shape(1, 1, 32, 32));
            float[] half = new BatchAugmenter(plain(16, 0, false, 0), 1).view(img).toFloatArray();
            for (int o = 1; o < 15; o++) {
                assertThat(half[3 * 16 + o]).isCloseTo((o + 0.5f) / 16, within(1e-5f));
            }
        }
    }

    @Test
    void hueShiftMatchesHsvReference() {
        Random r = new Random(3);
        int pixels = 64;
        float[] rgb = new float[3 * pixels];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = r.nextFloat();
        }
        float shift = 0.13f;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(rgb, new Shape(1, 3, 8, 8));
            float[] out = BatchAugmenter.shiftHue(x, m.create(new float[] {shift}, new Shape(1, 1, 1, 1)))
                    .toFloatArray();
            float[] same = BatchAugmenter.shiftHue(x, m.zeros(new Shape(1, 1, 1, 1))).toFloatArray();
            for (int p = 0; p < pixels; p++) {
                float[] hsb = Color.RGBtoHSB(
                        Math.round(rgb[p] * 255), Math.round(rgb[pixels + p] * 255),
                        Math.round(rgb[2 * pixels + p] * 255), null);
                int expected = Color.HSBtoRGB((hsb[0] + shift) % 1f, hsb[1], hsb[2]);
                // java.awt works in 8 bits: compare at that precision
                assertThat((double) out[p]).isCloseTo(((expected >> 16) & 0xff) / 255.0, within(0.02));
                assertThat((double) out[pixels + p]).isCloseTo(((expected >> 8) & 0xff) / 255.0, within(0.02));
                assertThat((double) out[2 * pixels + p]).isCloseTo((expected & 0xff) / 255.0, within(0.02));
                for (int ch = 0; ch < 3; ch++) {
                    assertThat(same[ch * pixels + p]).isCloseTo(rgb[ch * pixels + p], within(1e-5f));
                }
            }
            // a third of a turn takes pure red to pure green
            NDArray red = m.create(new float[] {1, 0, 0}, new Shape(1, 3, 1, 1));
            assertThat(BatchAugmenter.shiftHue(red, m.full(new Shape(1, 1, 1, 1), 1f / 3)).toFloatArray())
                    .containsExactly(new float[] {0, 1, 0}, within(1e-5f));
        }
    }

    @Test
    void colourDistortionChangesMostViewsAndBlurSmooths() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 32, 3, 16, 16, 10);
            AugmentationPolicy colourOnly = new AugmentationPolicy(
                    "colour", 16, 1, 1, 1, 1, Interpolation.BILINEAR, 0, false, 0.8, 0.5, 0.2, 0,
                    0.1, 0.1, 2.0);
            NDArray v = new BatchAugmenter(colourOnly, 4).view(x);
            int changed = 0;
            for (int n = 0; n < 32; n++) {
                if (v.get(n).sub(x.get(n)).abs().max().getFloat() > 0.01f) {
                    changed++;
                }
            }
            // P(neither jitter nor grey) = 0.2 x 0.8 = 0.16: about 27 of 32 change
            assertThat(changed).isBetween(20, 32);

            AugmentationPolicy blurOnly = new AugmentationPolicy(
                    "blur", 16, 1, 1, 1, 1, Interpolation.BILINEAR, 0, false, 0, 0, 0, 1.0, 0.2,
                    1.0, 2.0);
            NDArray b = new BatchAugmenter(blurOnly, 4).view(x);
            double before = x.get(":, :, :, 1:").sub(x.get(":, :, :, :-1")).abs().mean().getFloat();
            double after = b.get(":, :, :, 1:").sub(b.get(":, :, :, :-1")).abs().mean().getFloat();
            assertThat(after).isLessThan(0.6 * before);
            assertThat((double) b.mean().getFloat()).isCloseTo(x.mean().getFloat(), within(0.01));
        }
    }

    @Test
    void blurKernelIsANormalisedGaussianOfTheRightWidth() {
        float[] m = BatchAugmenter.blurMatrix(41, 10, 2.0);
        // the middle row: weights sum to 1, variance sigma^2 (truncation at 5 sigma is negligible)
        double sum = 0;
        double var = 0;
        for (int p = 0; p < 41; p++) {
            sum += m[20 * 41 + p];
            var += m[20 * 41 + p] * (p - 20) * (p - 20);
        }
        assertThat(sum).isCloseTo(1.0, within(1e-6));
        assertThat(var).isCloseTo(4.0, within(0.01));
        // border rows fold the kernel back (reflect padding) and still sum to 1
        double border = 0;
        for (int p = 0; p < 41; p++) {
            border += m[p];
        }
        assertThat(border).isCloseTo(1.0, within(1e-6));
        assertThat(AugmentationPolicy.imagenet(224).blurKernelSize()).isEqualTo(23);
        assertThat(AugmentationPolicy.imagenet(32).blurKernelSize()).isEqualTo(3);
    }

    @Test
    void policiesAreNamedAndChecked() {
        assertThat(AugmentationPolicy.named("CIFAR", 32).colorStrength()).isEqualTo(0.5);
        assertThat(AugmentationPolicy.named("imagenet", 224).blurProbability()).isEqualTo(0.5);
        assertThat(AugmentationPolicy.named("floorplan", 64).touchesColour()).isFalse();
        assertThatThrownBy(() -> AugmentationPolicy.named("mnist", 32)).hasMessageContaining("mnist");
        assertThatThrownBy(() -> AugmentationPolicy.cifar(32).withCrop(0.5, 0.2, 1, 1))
                .hasMessageContaining("crop scale");
        assertThatThrownBy(() -> AugmentationPolicy.cifar(0)).hasMessageContaining("outputSize");
    }
}
