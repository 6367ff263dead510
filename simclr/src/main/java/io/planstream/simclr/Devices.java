package io.planstream.simclr;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Picks where tensors live. Everything else in this module takes its device from the arrays it is
 * given, so the same code runs on a GPU when DJL's engine sees one.
 */
public final class Devices {

    private Devices() {}

    /**
     * @param override {@code auto} (or null: a GPU if the engine sees one, else the CPU), {@code
     *     cpu}, or {@code gpu} (fails when there is none)
     * @return the device
     * @throws IllegalArgumentException for any other value
     * @throws IllegalStateException when a GPU is asked for and the engine sees none
     */
    public static Device choose(String override) {
        String key = override == null ? "auto" : override.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "auto":
                return gpuCount() > 0 ? Device.gpu() : Device.cpu();
            case "cpu":
                return Device.cpu();
            case "gpu":
                if (gpuCount() == 0) {
                    throw new IllegalStateException(
                            "device gpu was asked for, but the "
                                    + engine().getEngineName()
                                    + " engine ("
                                    + engine().getVersion()
                                    + ") sees no GPU: it is using a CPU libtorch, or CUDA is"
                                    + " missing");
                }
                return Device.gpu();
            default:
                throw new IllegalArgumentException(
                        "device must be auto, cpu or gpu, got: " + override);
        }
    }

    private static int gpuCount() {
        return engine().getGpuCount();
    }

    /** @return the PyTorch engine, loaded offline (see {@link SimClrEngine}) */
    private static Engine engine() {
        return SimClrEngine.get();
    }
}
