package io.planstream.simclr;

/**
 * Seeds of independent random streams from one run seed, so that a run's data order, its views
 * and an evaluation's views can each be replayed from the seed and a position alone.
 */
public final class Seeds {

    private Seeds() {}

    /**
     * A generator seed for item {@code index} of random stream {@code stream}: SplitMix64's
     * finaliser over the three, so that nearby seeds, streams and indices give unrelated sequences.
     */
    public static long derive(long seed, long stream, long index) {
        long z = mix(seed + 0x9E3779B97F4A7C15L * (stream + 1));
        return mix(z + 0xBF58476D1CE4E5B9L * (index + 1));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
