package io.planstream.simclr;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns libtorch's NNPACK off where NNPACK cannot run, as PyTorch's {@code torch.backends.nnpack.set_flags(False)}
 * does.
 *
 * <p>Before some CPU convolutions (a 1x1 kernel on a small batch in a single-threaded forward, as the embedder's
 * forward workers run them) libtorch asks whether NNPACK is available, and where NNPACK cannot initialise (on some
 * virtual machines: "Unsupported hardware") libtorch 2.7 writes a warning to standard error at every such question:
 * 2,000 lines in one cold start of the demo, between its progress bars. Where the answer is no, turning NNPACK off
 * skips the question; where NNPACK runs, nothing changes. The one question asked here still writes its warning once.
 *
 * <p>DJL has no call for it, so it goes to libtorch's C++ functions by their (Itanium ABI) symbol names through JNA:
 * {@code at::native::_nnpack_available()}, {@code at::globalContext()} and
 * {@code at::Context::setUserEnabledNNPACK(bool)}. Where a symbol is missing (another libtorch, another platform's
 * name mangling) NNPACK is left as it is and the log says why.
 */
final class Nnpack {

    private static final Logger LOG = LoggerFactory.getLogger(Nnpack.class);
    /** Loaded by DJL already: the C library's loader hands back that copy by its soname. */
    private static final String LIBRARY = "torch_cpu";
    private static final String AVAILABLE = "_ZN2at6native17_nnpack_availableEv";
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_ENABLED = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private static final String ENABLED = "_ZNK2at7Context17userEnabledNNPACKEv";
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private Nnpack() {
    }

    /** Once per process, after the engine has loaded libtorch. */
    static void turnOffWhereUnavailable() {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        try {
            NativeLibrary torch = NativeLibrary.getInstance(LIBRARY);
            if (!available(torch)) {
                Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
                torch.getFunction(SET_ENABLED).invokeVoid(new Object[] {context, Boolean.FALSE});
                LOG.info("NNPACK cannot run on this machine: libtorch's use of it is turned off (no warning per convolution)");
            }
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.info("NNPACK left as libtorch has it: {}", e.toString());
        }
    }

    /** Whether libtorch would use NNPACK where it fits; empty where that cannot be read. */
    static Optional<Boolean> enabled() {
        try {
            NativeLibrary torch = NativeLibrary.getInstance(LIBRARY);
            Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
            return Optional.of(lowByte(torch.getFunction(ENABLED).invokeInt(new Object[] {context})));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether NNPACK initialises here (asking writes libtorch's warning once where it does not). */
    private static boolean available(NativeLibrary torch) {
        return lowByte(torch.getFunction(AVAILABLE).invokeInt(new Object[0]));
    }

    /** A C++ bool comes back in the low byte of the return register; the bytes above it are undefined. */
    private static boolean lowByte(int value) {
        return (value & 0xff) != 0;
    }

    /** Whether NNPACK initialises here; see {@link #available(NativeLibrary)}. */
    static boolean available() {
        return available(NativeLibrary.getInstance(LIBRARY));
    }
}
