package io.planstream.simclr;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Loads DJL's PyTorch engine without touching the network.
 *
 * <p>The CPU libtorch comes from the {@code pytorch-native-cpu} jar on the class path; DJL would
 * otherwise try to download natives (and model-zoo metadata) at run time, which fails on machines
 * without internet and is slow where there is some. Properties set by the user win.
 */
public final class SimClrEngine {

    /** DJL's switch for "never download". */
    public static final String OFFLINE = "ai.djl.offline";

    public static final String ENGINE = "PyTorch";

    private SimClrEngine() {}

    /** @return the PyTorch engine, loaded with {@code ai.djl.offline=true} unless set otherwise */
    public static Engine get() {
        if (System.getProperty(OFFLINE) == null) {
            System.setProperty(OFFLINE, "true");
        }
        return Engine.getEngine(ENGINE);
    }

    /**
     * Turns PyTorch's autograd recording off in the calling thread. The mode is per thread and on by
     * default; DJL turns it off only in the thread that starts the engine, and its gradient collector
     * restores the mode it found. So in any other thread (stream threads, HTTP workers, a trainer's
     * round) a forward pass would record a graph it never uses, and an optimiser's in-place update of
     * a parameter would fail ("a leaf Variable that requires grad is being used in an in-place
     * operation"). Cheap: one call into the native library.
     */
    public static void noGradientsInThisThread() {
        get();
        JniUtils.setGradMode(false);
    }
}
