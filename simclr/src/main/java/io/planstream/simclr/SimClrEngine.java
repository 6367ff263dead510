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

    /**
     * @return the PyTorch engine, loaded with {@code ai.djl.offline=true} unless set otherwise, and NNPACK turned off
     *     where it cannot run ({@link Nnpack})
     */
    public static Engine get() {
        if (System.getProperty(OFFLINE) == null) {
            System.setProperty(OFFLINE, "true");
        }
        Engine engine = Engine.getEngine(ENGINE);
        Nnpack.turnOffWhereUnavailable();
        return engine;
    }

    private static final Object SEEDED = new Object();

    /**
     * Runs {@code work} with the engine's random generator seeded with {@code seed}. The generator is
     * global to the process, so a seeded initialisation must not interleave with another thread's: an
     * embedder building its encoders while the query encoder builds its own would otherwise give two
     * "seeded" encoders different weights.
     */
    public static <T> T seeded(long seed, java.util.function.Supplier<T> work) {
        synchronized (SEEDED) {
            get().setRandomSeed((int) seed);
            return work.get();
        }
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

    /**
     * Sets how many threads PyTorch's intra-op parallelism uses for the operations the calling thread
     * runs, and for that thread only.
     *
     * <p>PyTorch's own setter is not local: besides the calling thread's OpenMP count it sets a
     * process-wide value that every thread takes up at its first parallel operation (tested in
     * {@code SimClrEngineTest}). A forward worker that asked for one thread would so leave a trainer's
     * round, started later in the same process, on one core. This method fixes the calling thread's count
     * (its first parallel operation has then been done) and gives the process-wide value back from a
     * short-lived thread, all under one lock, so that two threads calling it at once cannot take up each
     * other's value.
     *
     * @return the count threads that never call this take up
     */
    public static synchronized int intraOpThreadsInThisThread(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1, got " + threads);
        }
        get();
        // The process-wide count, as a thread's first parallel operation takes it up.
        int[] processWide = new int[1];
        runOnFreshThread(() -> processWide[0] = JniUtils.getNumThreads());
        JniUtils.setNumThreads(threads);
        // Reading the count is this thread's first parallel operation, if it had none yet: from now on
        // it keeps its own count whatever the process-wide value becomes.
        JniUtils.getNumThreads();
        runOnFreshThread(() -> JniUtils.setNumThreads(processWide[0]));
        return processWide[0];
    }

    private static void runOnFreshThread(Runnable body) {
        Thread t = new Thread(body, "planstream-intra-op-threads");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting PyTorch's intra-op threads", e);
        }
    }
}
