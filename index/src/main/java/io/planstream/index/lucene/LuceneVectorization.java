package io.planstream.index.lucene;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;

import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.Version;

/**
 * Whether Lucene scores vectors with the JDK's incubating Vector API (SIMD) in this JVM, for the line
 * the index role and {@code bench index} print at start: without {@code --add-modules
 * jdk.incubator.vector} Lucene falls back to scalar loops, and searches and graph builds run at about
 * two thirds of the rate (docs/RESULTS.md).
 *
 * <p>Lucene decides once, when {@link VectorUtil} is first used, and keeps its choice in a private
 * field; its provider refuses callers outside Lucene. So this reads that field's class by reflection
 * (the project runs Lucene on the class path, where that is allowed), and where it cannot, answers
 * from whether the module is in the JVM at all.
 */
public final class LuceneVectorization {

    /** The incubating module Lucene's SIMD code needs. */
    public static final String MODULE = "jdk.incubator.vector";

    private LuceneVectorization() {
    }

    /** True when Lucene's vector scoring runs on the Vector API. */
    public static boolean enabled() {
        String impl = implementation();
        return impl != null ? impl.startsWith("Panama") : ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /** One line for the log: the Lucene version, whether it uses the Vector API, and what to do if not. */
    public static String describe() {
        String impl = implementation();
        String how = impl == null ? "" : " (" + impl + ")";
        if (enabled()) {
            return "Lucene " + Version.LATEST + " scores vectors with the Java Vector API, " + MODULE + how;
        }
        String why = !ModuleLayer.boot().findModule(MODULE).isPresent()
                ? "start the JVM with --add-modules=" + MODULE + " (./planstream does)"
                : c1Only() ? "this JVM compiles with C1 alone (-XX:TieredStopAtLevel), and Lucene uses SIMD only with C2"
                : "Lucene refused it on Java " + Runtime.version() + " (its log says why)";
        return "Lucene " + Version.LATEST + " scores vectors WITHOUT the Java Vector API" + how + ", so searches and builds are"
                + " slower: " + why;
    }

    /** Whether the JIT stops short of C2, as the project's test JVMs do to start faster. */
    private static boolean c1Only() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4"));
    }

    /** The simple name of the class Lucene chose for vector arithmetic, or null where it cannot be read. */
    private static String implementation() {
        try {
            VectorUtil.dotProduct(new float[] {1}, new float[] {1});
            Field impl = VectorUtil.class.getDeclaredField("IMPL");
            impl.setAccessible(true);
            return impl.get(null).getClass().getSimpleName();
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a later Lucene may keep its choice elsewhere: enabled() then answers from the module alone
            return null;
        }
    }
}
