package io.planstream.embedder.model;

import java.util.OptionalInt;

import ai.djl.Device;

/**
 * How the forward passes of one stream thread run: on how many worker threads, each with an encoder of
 * its own, and with how many intra-op threads each.
 *
 * <p>On a GPU one worker is best: the device runs the batches one after another anyway. On a CPU, one
 * single-threaded worker per core runs whole batches side by side instead of splitting every layer
 * across the cores: small layers (a 32 px ResNet's late stages) then wait on no barrier, and the
 * decoding and Kafka threads find a core between two batches instead of one that PyTorch's thread
 * pool keeps busy.
 *
 * @param count          worker threads per stream thread, each with its own encoder (its own copy of the weights)
 * @param intraOpThreads PyTorch intra-op threads in each worker, or {@link #ENGINE_DEFAULT} to leave PyTorch's default
 */
public record ForwardWorkers(int count, int intraOpThreads) {

    /** Leave the intra-op thread count to PyTorch (the number of cores). */
    public static final int ENGINE_DEFAULT = 0;

    public static final int MAX_WORKERS = 64;

    public ForwardWorkers {
        if (count < 1 || count > MAX_WORKERS) {
            throw new IllegalArgumentException("forward workers must be 1.." + MAX_WORKERS + ", got " + count);
        }
        if (intraOpThreads < 0 || intraOpThreads > 1024) {
            throw new IllegalArgumentException("intra-op threads must be 0 (the engine's default) .. 1024, got " + intraOpThreads);
        }
    }

    /** One worker with PyTorch's default threads: forward passes in the order they were handed over. */
    public static ForwardWorkers single() {
        return new ForwardWorkers(1, ENGINE_DEFAULT);
    }

    /** One worker on a GPU; on a CPU one single-threaded worker per core (at most {@link #MAX_WORKERS}). */
    public static ForwardWorkers auto(Device device, int cores) {
        if (device.isGpu()) {
            return single();
        }
        return new ForwardWorkers(Math.max(1, Math.min(MAX_WORKERS, cores)), 1);
    }

    /**
     * The configured workers, each part left out taken from {@link #auto}: with only the workers given, a
     * CPU's cores are shared among them.
     */
    public static ForwardWorkers configured(OptionalInt workers, OptionalInt intraOpThreads, Device device, int cores) {
        ForwardWorkers auto = auto(device, cores);
        int count = workers.orElse(auto.count());
        int threads = intraOpThreads.orElse(workers.isEmpty() || device.isGpu() ? auto.intraOpThreads() : Math.max(1, cores / count));
        return new ForwardWorkers(count, threads);
    }

    @Override
    public String toString() {
        return count + (count == 1 ? " worker" : " workers") + " x "
                + (intraOpThreads == ENGINE_DEFAULT ? "default" : String.valueOf(intraOpThreads)) + " intra-op threads";
    }
}
