package io.leakwatch.testing;

/**
 * The seed of a randomized test. CI and a plain {@code mvn test} use a fixed seed, so a red build is
 * always reproducible; {@code -Dleakwatch.fuzz.seed=random} explores new seeds, and
 * {@code -Dleakwatch.fuzz.seed=N} replays one. The seed in use is printed, and failures name it.
 */
public final class FuzzSeed {
    public static final String PROPERTY = "leakwatch.fuzz.seed";

    private FuzzSeed() {
    }

    /** @param fixed the seed used unless the property asks otherwise */
    public static long of(String test, long fixed) {
        String asked = System.getProperty(PROPERTY, "").trim();
        long seed;
        if (asked.isEmpty()) {
            seed = fixed;
        } else if (asked.equals("random")) {
            seed = System.nanoTime();
        } else {
            try {
                seed = Long.parseLong(asked);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + PROPERTY + " must be a number or 'random', not '" + asked + "'");
            }
        }
        System.out.println(test + ": seed " + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }
}
