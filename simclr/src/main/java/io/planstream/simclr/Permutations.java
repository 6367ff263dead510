package io.planstream.simclr;

import java.util.random.RandomGenerator;

/** Seeded orderings of indices, for data order, subsets and held-out splits. */
public final class Permutations {

    private Permutations() {}

    /**
     * A Fisher-Yates permutation of 0..n-1. It draws {@code random.nextInt(i + 1)} for i = n-1 down to
     * 1, as {@code Collections.shuffle} does, so a seed gives the same order as it always has.
     */
    public static int[] random(int n, RandomGenerator random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
