package io.planstream.simclr;

import ai.djl.engine.Engine;

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
}
