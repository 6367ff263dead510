package io.planstream.simclr;

import java.lang.management.ManagementFactory;

/**
 * The CPU time this process has used, user and system, summed over all its threads (libtorch's
 * workers included): what a CPU budget, such as the PyTorch reference's {@code --cpu-minutes},
 * counts.
 */
public final class ProcessCpu {

    private ProcessCpu() {
    }

    /** This process's CPU time in nanoseconds, or -1 where the JVM cannot tell. */
    public static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
