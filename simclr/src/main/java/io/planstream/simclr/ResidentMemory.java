package io.planstream.simclr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A process's resident memory from {@code /proc/PID/status} (Linux only): what the heap, libtorch's
 * native allocations and mapped files hold in RAM, which no Java memory bean sees whole.
 */
public final class ResidentMemory {

    private ResidentMemory() {
    }

    /** This process's VmRSS in MB, or -1 where /proc is not there to read. */
    public static double megabytes() {
        return megabytes(ProcessHandle.current().pid());
    }

    /** A process's VmRSS in MB, or -1 where it cannot be read (no such process, no /proc). */
    public static double megabytes(long pid) {
        return statusMb(pid, "VmRSS:").getOrDefault("VmRSS:", -1.0);
    }

    /**
     * Size fields of /proc/PID/status in MB, read in one pass; a field that is absent is left out.
     * RssAnon is the anonymous part of the resident set (heap, native allocations); the rest of VmRSS
     * is files mapped in (Lucene and Kafka segments).
     */
    public static Map<String, Double> statusMb(long pid, String... fields) {
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                for (String field : fields) {
                    if (line.startsWith(field)) {
                        out.put(field, Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            return out;
        }
        return out;
    }
}
