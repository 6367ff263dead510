package io.planstream.app.cli;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The platform options a JVM this process starts (a local server for a benchmark, the servers of the
 * tests) takes over from this one: the Vector API module that Lucene's SIMD scoring needs, and the
 * native-access and Unsafe permissions, as the launcher ({@code ./planstream}) and the build
 * ({@code planstream.jvm.options} in pom.xml) set them. Taken from this JVM's own command line, so
 * that they are written down in those two places only.
 */
public final class ChildJvm {

    private static final List<String> INHERITED = List.of("--add-modules", "--enable-native-access",
            "--sun-misc-unsafe-memory-access");

    private ChildJvm() {
    }

    /** This JVM's options that a child JVM should start with too, in their order. */
    public static List<String> platformOptions() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> INHERITED.stream().anyMatch(p -> a.equals(p) || a.startsWith(p + "=")))
                .toList();
    }
}
