package io.planstream.simclr.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * SimCLR's data augmentation (Chen et al., ICML 2020, Appendix A) applied to a whole batch at once
 * with tensor operations, so it runs on whatever device holds the batch (the GPU where there is
 * one) instead of image by image on the CPU.
 *
 * <p>Every random choice is drawn in Java from one seeded {@link Random}, sample by sample in a
 * fixed order, and the tensors only carry them out: the same seed and the same calls give the same
 * views on any device. The engine's own random operators are not used (several of DJL's
 * NDImageUtils random transforms are "Not implemented" on PyTorch).
 *
 * <p>How it is done: a random resized crop, its flips and the floor-plan rotations are one left and
 * one right resampling matrix per sample, {@code view = Ry . x . Rx^T} (two batched matrix
 * products; a transposition per sample completes the rotations); colour distortion is per-sample
 * factors broadcast over the batch, with a random order per view realised as four slots in which
 * each view applies its own operation and the others an identity; Gaussian blur is again a pair of
 * per-sample matrices (reflect padding). Order as in the paper's code: crop and flip, colour
 * distortion, grey, blur.
 *
 * <p>Not thread-safe: it owns a random stream. Use one per thread.
 */
public final class BatchAugmenter {

    private static final float[] LUMA = {0.299f, 0.587f, 0.114f};
    private static final int BRIGHTNESS = 0;
    private static final int CONTRAST = 1;
    private static final int SATURATION = 2;
    private static final int HUE = 3;
    private static final int MAX_ATTEMPTS = 10;

    private final AugmentationPolicy policy;
    private final Random random;

    /**
     * @param policy what to do
     * @param seed the seed of all random choices
     */
    public BatchAugmenter(AugmentationPolicy policy, long seed) {
        if (policy == null) {
            throw new IllegalArgumentException("policy must be set");
        }
        this.policy = policy;
        this.random = new Random(seed);
    }

    public AugmentationPolicy policy() {
        return policy;
    }

    /**
     * The two correlated views of SimCLR.
     *
     * @param images a FLOAT32 batch (N, C, H, W) with values in [0, 1]; it is not changed
     * @return two batches (N, C, S, S), attached to the manager of {@code images}
     */
    public NDList twoViews(NDArray images) {
        NDArray first = view(images);
        try {
            return new NDList(first, view(images));
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
    }

    /**
     * One random view of every image.
     *
     * @param images a FLOAT32 batch (N, C, H, W) with values in [0, 1]; it is not changed
     * @return a batch (N, C, S, S) with values in [0, 1], attached to the manager of {@code images}
     */
    public NDArray view(NDArray images) {
        Shape shape = images.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("images must be (N, C, H, W), got shape " + shape);
        }
        if (images.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    "images must be FLOAT32 in [0, 1], got " + images.getDataType());
        }
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        boolean colour = policy.colorStrength() > 0 && policy.colorJitterProbability() > 0;
        if (policy.touchesColour() && c != 1 && c != 3) {
            throw new IllegalArgumentException(
                    "policy "
                            + policy.name()
                            + " distorts colours, which needs 1 or 3 channels, got "
                            + c
                            + ": use a policy without colour distortion (e.g. floorplan)");
        }
        Sample[] samples = new Sample[n];
        for (int i = 0; i < n; i++) {
            samples[i] = draw(h, w, colour);
        }

        NDManager parent = images.getManager();
        try (NDManager tmp = parent.newSubManager(images.getDevice())) {
            NDArray out = geometric(tmp, images, samples, h, w);
            if (colour) {
                out = jitter(tmp, out, samples, c);
            }
            if (c == 3 && policy.grayscaleProbability() > 0) {
                out = grayscale(tmp, out, samples);
            }
            if (policy.blurProbability() > 0 && policy.blurKernelSize() >= 3) {
                out = blur(tmp, out, samples);
            }
            out = out.clip(0f, 1f);
            out.attach(parent);
            return out;
        }
    }

    /** The random choices for one image. */
    private static final class Sample {
        CropBox crop;
        boolean flipH;
        boolean flipV;
        boolean transpose;
        boolean jitter;
        final float[] factor = {1f, 1f, 1f, 0f};
        final int[] order = {BRIGHTNESS, CONTRAST, SATURATION, HUE};
        boolean gray;
        double blurSigma;
    }

    private Sample draw(int h, int w, boolean colour) {
        Sample s = new Sample();
        s.crop = sampleCrop(random, h, w, policy);
        s.flipH = random.nextDouble() < policy.horizontalFlipProbability();
        if (policy.dihedral()) {
            s.flipH = random.nextBoolean();
            s.flipV = random.nextBoolean();
            s.transpose = random.nextBoolean();
        }
        if (colour) {
            s.jitter = random.nextDouble() < policy.colorJitterProbability();
            if (s.jitter) {
                double strength = policy.colorStrength();
                double lo = Math.max(0, 1 - 0.8 * strength);
                double hi = 1 + 0.8 * strength;
                for (int k = 0; k < 3; k++) {
                    s.factor[k] = (float) (lo + (hi - lo) * random.nextDouble());
                }
                s.factor[HUE] = (float) (0.2 * strength * (2 * random.nextDouble() - 1));
                for (int k = s.order.length - 1; k > 0; k--) {
                    int j = random.nextInt(k + 1);
                    int t = s.order[k];
                    s.order[k] = s.order[j];
                    s.order[j] = t;
                }
            }
        }
        if (policy.grayscaleProbability() > 0) {
            s.gray = random.nextDouble() < policy.grayscaleProbability();
        }
        if (policy.blurProbability() > 0) {
            if (random.nextDouble() < policy.blurProbability()) {
                s.blurSigma =
                        policy.blurSigmaMin()
                                + (policy.blurSigmaMax() - policy.blurSigmaMin())
                                        * random.nextDouble();
            }
        }
        return s;
    }

    /**
     * Draws a random resized crop as torchvision's {@code RandomResizedCrop} does: area fraction
     * uniform in the scale range, aspect log-uniform in the ratio range, up to ten tries, then a
     * central crop of the closest allowed aspect.
     *
     * @param rng the random stream
     * @param h image rows
     * @param w image columns
     * @param policy the scale and ratio ranges
     * @return the crop
     */
    public static CropBox sampleCrop(Random rng, int h, int w, AugmentationPolicy policy) {
        double area = (double) h * w;
        double logMin = Math.log(policy.cropRatioMin());
        double logMax = Math.log(policy.cropRatioMax());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            double target =
                    area
                            * (policy.cropScaleMin()
                                    + (policy.cropScaleMax() - policy.cropScaleMin())
                                            * rng.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * rng.nextDouble());
            int cw = (int) Math.round(Math.sqrt(target * aspect));
            int ch = (int) Math.round(Math.sqrt(target / aspect));
            if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
                int top = rng.nextInt(h - ch + 1);
                int left = rng.nextInt(w - cw + 1);
                return new CropBox(top, left, ch, cw);
            }
        }
        double in = (double) w / h;
        int cw;
        int ch;
        if (in < policy.cropRatioMin()) {
            cw = w;
            ch = Math.max(1, Math.min(h, (int) Math.round(w / policy.cropRatioMin())));
        } else if (in > policy.cropRatioMax()) {
            ch = h;
            cw = Math.max(1, Math.min(w, (int) Math.round(h * policy.cropRatioMax())));
        } else {
            cw = w;
            ch = h;
        }
        return new CropBox((h - ch) / 2, (w - cw) / 2, ch, cw);
    }

    private NDArray geometric(NDManager tmp, NDArray images, Sample[] samples, int h, int w) {
        int n = samples.length;
        int size = policy.outputSize();
        float[] ry = new float[n * size * h];
        float[] rxT = new float[n * w * size];
        boolean anyTranspose = false;
        for (int i = 0; i < n; i++) {
            Sample s = samples[i];
            float[] rows = resampling(size, h, s.crop.top(), s.crop.height(), s.flipV);
            System.arraycopy(rows, 0, ry, i * size * h, rows.length);
            float[] cols = resampling(size, w, s.crop.left(), s.crop.width(), s.flipH);
            // stored transposed, (W, S), so that the product is x . Rx^T
            for (int o = 0; o < size; o++) {
                for (int p = 0; p < w; p++) {
                    rxT[i * w * size + p * size + o] = cols[o * w + p];
                }
            }
            anyTranspose |= s.transpose;
        }
        // The tmp array comes first so that the result belongs to tmp, not to the caller's manager.
        NDArray left = tmp.create(ry, new Shape(n, 1, size, h));
        NDArray right = tmp.create(rxT, new Shape(n, 1, w, size));
        NDArray out = left.matMul(images).matMul(right);
        if (anyTranspose) {
            boolean[] t = new boolean[n];
            for (int i = 0; i < n; i++) {
                t[i] = samples[i].transpose;
            }
            // flatten copies the transposed view into a contiguous array: a strided result would
            // make every later read (toFloatArray included) allocate a hidden contiguous copy
            NDArray transposed = out.transpose(0, 1, 3, 2).flatten().reshape(out.getShape());
            out = select(tmp, t, transposed, out);
        }
        return out;
    }

    /** The matrix that resamples one axis with this policy's interpolation, see {@link Resampling}. */
    float[] resampling(int size, int length, int start, int extent, boolean flip) {
        return Resampling.matrix(size, length, start, extent, flip, policy.interpolation());
    }

    private NDArray jitter(NDManager tmp, NDArray x, Sample[] samples, int channels) {
        int n = samples.length;
        NDArray out = x;
        for (int slot = 0; slot < 4; slot++) {
            float[][] f = new float[4][n];
            boolean[] any = new boolean[4];
            for (int i = 0; i < n; i++) {
                Sample s = samples[i];
                f[BRIGHTNESS][i] = 1f;
                f[CONTRAST][i] = 1f;
                f[SATURATION][i] = 1f;
                f[HUE][i] = 0f;
                if (s.jitter) {
                    int op = s.order[slot];
                    f[op][i] = s.factor[op];
                    any[op] = true;
                }
            }
            Shape perSample = new Shape(n, 1, 1, 1);
            if (any[BRIGHTNESS]) {
                out = out.mul(tmp.create(f[BRIGHTNESS], perSample)).clip(0f, 1f);
            }
            if (any[CONTRAST]) {
                NDArray factor = tmp.create(f[CONTRAST], perSample);
                NDArray mean = gray(tmp, out).reshape(n, -1).mean(new int[] {1}).reshape(perSample);
                out = out.mul(factor).add(mean.mul(factor.neg().add(1f))).clip(0f, 1f);
            }
            if (channels == 3 && any[SATURATION]) {
                NDArray factor = tmp.create(f[SATURATION], perSample);
                out = out.mul(factor).add(gray(tmp, out).mul(factor.neg().add(1f))).clip(0f, 1f);
            }
            if (channels == 3 && any[HUE]) {
                out = shiftHue(out, tmp.create(f[HUE], perSample));
            }
        }
        return out;
    }

    /** ITU-R 601 luma, (N, 1, H, W); the image itself when it has one channel. */
    private static NDArray gray(NDManager tmp, NDArray x) {
        if (x.getShape().get(1) == 1) {
            return x;
        }
        return x.mul(tmp.create(LUMA, new Shape(1, 3, 1, 1))).sum(new int[] {1}, true);
    }

    /**
     * Rotates hue by {@code shift} turns through HSV, like torchvision's {@code adjust_hue}, with
     * masks instead of branches so that it stays a few dozen element-wise operations.
     */
    static NDArray shiftHue(NDArray x, NDArray shift) {
        NDList rgb = x.split(3, 1);
        NDArray r = rgb.get(0);
        NDArray g = rgb.get(1);
        NDArray b = rgb.get(2);
        NDArray max = x.max(new int[] {1}, true);
        NDArray min = x.min(new int[] {1}, true);
        NDArray delta = max.sub(min);
        NDArray sat = delta.div(max.maximum(1e-8f));
        // where delta is 0 hue is undefined: any value works because saturation is 0 there
        NDArray safe = delta.add(delta.eq(0f).toType(DataType.FLOAT32, false));
        NDArray rc = max.sub(r).div(safe);
        NDArray gc = max.sub(g).div(safe);
        NDArray bc = max.sub(b).div(safe);
        NDArray isR = r.eq(max).toType(DataType.FLOAT32, false);
        NDArray isG = g.eq(max).toType(DataType.FLOAT32, false).mul(isR.neg().add(1f));
        NDArray isB = isR.add(isG).neg().add(1f);
        NDArray hue =
                isR.mul(bc.sub(gc))
                        .add(isG.mul(rc.sub(bc).add(2f)))
                        .add(isB.mul(gc.sub(rc).add(4f)))
                        .div(6f)
                        .add(shift);
        hue = hue.sub(hue.floor()).mul(6f);
        // f(k) = v - v s clip(min(k, 4 - k), 0, 1) with k = (n + 6h) mod 6 gives R, G, B for n = 5, 3, 1
        NDArray vs = max.mul(sat);
        NDArray[] channels = new NDArray[3];
        int[] offsets = {5, 3, 1};
        for (int i = 0; i < 3; i++) {
            NDArray k = hue.add((float) offsets[i]);
            k = k.sub(k.div(6f).floor().mul(6f));
            NDArray ramp = k.minimum(k.neg().add(4f)).clip(0f, 1f);
            channels[i] = max.sub(vs.mul(ramp));
        }
        return NDArrays.concat(new NDList(channels), 1).clip(0f, 1f);
    }

    private NDArray grayscale(NDManager tmp, NDArray x, Sample[] samples) {
        boolean[] mask = new boolean[samples.length];
        boolean any = false;
        for (int i = 0; i < samples.length; i++) {
            mask[i] = samples[i].gray;
            any |= mask[i];
        }
        if (!any) {
            return x;
        }
        NDArray g = gray(tmp, x).repeat(1, 3);
        return select(tmp, mask, g, x);
    }

    private NDArray blur(NDManager tmp, NDArray x, Sample[] samples) {
        int n = samples.length;
        int size = policy.outputSize();
        int radius = policy.blurKernelSize() / 2;
        float[] left = new float[n * size * size];
        float[] right = new float[n * size * size];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            float[] m = blurMatrix(size, radius, samples[i].blurSigma);
            any |= samples[i].blurSigma > 0;
            System.arraycopy(m, 0, left, i * size * size, m.length);
            for (int a = 0; a < size; a++) {
                for (int b = 0; b < size; b++) {
                    right[i * size * size + b * size + a] = m[a * size + b];
                }
            }
        }
        if (!any) {
            return x;
        }
        NDArray by = tmp.create(left, new Shape(n, 1, size, size));
        NDArray bxT = tmp.create(right, new Shape(n, 1, size, size));
        return by.matMul(x).matMul(bxT);
    }

    /** A Gaussian of {@code sigma} pixels over {@code 2 radius + 1} taps, reflect padding; sigma 0: identity. */
    static float[] blurMatrix(int size, int radius, double sigma) {
        float[] m = new float[size * size];
        if (sigma <= 0 || radius == 0) {
            for (int i = 0; i < size; i++) {
                m[i * size + i] = 1f;
            }
            return m;
        }
        double[] k = new double[2 * radius + 1];
        double total = 0;
        for (int d = -radius; d <= radius; d++) {
            k[d + radius] = Math.exp(-(double) d * d / (2 * sigma * sigma));
            total += k[d + radius];
        }
        for (int i = 0; i < size; i++) {
            for (int d = -radius; d <= radius; d++) {
                int p = i + d;
                if (p < 0) {
                    p = -p;
                }
                if (p >= size) {
                    p = 2 * (size - 1) - p;
                }
                p = Math.max(0, Math.min(size - 1, p));
                m[i * size + p] += (float) (k[d + radius] / total);
            }
        }
        return m;
    }

    /** Per sample, {@code a} where the mask is set and {@code b} elsewhere, exactly. */
    private static NDArray select(NDManager tmp, boolean[] mask, NDArray a, NDArray b) {
        Shape perSample = new Shape(mask.length, 1, 1, 1);
        NDArray condition = tmp.create(mask, perSample).broadcast(a.getShape());
        return NDArrays.where(condition, a, b);
    }
}
