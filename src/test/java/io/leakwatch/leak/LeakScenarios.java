package io.leakwatch.leak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The leak-detection scenario corpus at the default scale: one sample a minute for
 * {@link #DURATION_SECONDS}, private bytes and handles of one service (possibly restarted), each
 * scenario with what a correct verdict is. Both leakwatch's detector and the PromQL rules are
 * judged on exactly these samples (see {@link LeakEvaluation}).
 */
final class LeakScenarios {
    static final double MIB = 1024 * 1024;
    static final double HOUR = 3600;
    static final double DAY = 86400;
    static final double STEP_SECONDS = 60;
    static final double DURATION_SECONDS = 3 * DAY;
    /** The default --leak.min-growth and --leak.min-handle-growth. */
    static final double THRESHOLD = 10 * MIB / DAY;
    static final double HANDLE_THRESHOLD = 100 / DAY;
    /** The field report's leak: about 1 GB in 60 days (17 MB/day, 1.6 times the threshold). */
    static final double SEED_RATE = 1e9 / (60 * DAY);
    static final double BASE = 40 * MIB;
    /** Allocator noise on every sample (absolute value of a normal with this deviation). */
    static final double NOISE = 0.5 * MIB;
    static final long[] SEEDS = {7919, 15838, 23757, 31676, 39595};

    /** What a correct verdict does. */
    enum Expect {
        /** Flagged within a day of the leak's start, and stays flagged. */
        FLAG,
        /** Never flagged. */
        NEVER,
        /** May be flagged while growing, but not later than a quarter of the window after the growth stopped. */
        CLEAR,
        /** At the threshold: either answer is right (reported, not asserted). */
        EITHER
    }

    /**
     * @param name        short name, also the process label in the PromQL replay
     * @param group       row group of the table
     * @param expect      what a correct verdict does
     * @param leakStart   seconds from the start when the leak starts (time to detect counts from here)
     * @param growthStops for {@link Expect#CLEAR}: seconds from the start when the growth stops
     * @param handleLeak  the leak is in handles, not memory
     * @param restartEvery seconds between restarts; 0 = never restarted
     * @param shape       the values
     */
    record Scenario(String name, String group, Expect expect, double leakStart, double growthStops, boolean handleLeak,
                    double restartEvery, Shape shape) {
    }

    /** Private bytes and handles at {@code age} seconds into a life, {@code t} seconds into the run. */
    interface Shape {
        void sample(double t, double age, Random random, double phase, double[] out);
    }

    /**
     * The samples of one run.
     *
     * @param times        seconds from the start
     * @param lives        life number of each sample (a restart starts the next)
     * @param privateBytes per sample
     * @param handles      per sample
     */
    record Series(double[] times, int[] lives, double[] privateBytes, double[] handles) {
    }

    private LeakScenarios() {
    }

    static Series generate(Scenario s, long seed) {
        int n = (int) (DURATION_SECONDS / STEP_SECONDS) + 1;
        Random random = new Random(seed * 31 + s.name().hashCode());
        double phase = random.nextDouble();
        double[] times = new double[n];
        int[] lives = new int[n];
        double[] priv = new double[n];
        double[] hand = new double[n];
        double[] out = new double[2];
        for (int i = 0; i < n; i++) {
            double t = i * STEP_SECONDS;
            int life = s.restartEvery() > 0 ? (int) Math.floor(t / s.restartEvery()) : 0;
            double age = t - life * s.restartEvery();
            s.shape().sample(t, age, random, phase, out);
            times[i] = t;
            lives[i] = life;
            priv[i] = Math.round(out[0]);
            hand[i] = Math.round(out[1]);
        }
        return new Series(times, lives, priv, hand);
    }

    static double noise(Random r) {
        return Math.abs(r.nextGaussian()) * NOISE;
    }

    static double handles(Random r) {
        return 120 + Math.round(Math.abs(r.nextGaussian()) * 2);
    }

    /** A GC sawtooth: climbs by {@code amplitude} over {@code period}, then is collected. */
    static double sawtooth(double t, double period, double amplitude, double phase) {
        double x = t / period + phase;
        return amplitude * (x - Math.floor(x));
    }

    static List<Scenario> all() {
        List<Scenario> out = new ArrayList<>();
        for (double k : new double[]{0.5, 1, 1.7, 20}) {
            double rate = k * THRESHOLD;
            out.add(new Scenario("clean-" + factor(k) + "x", "clean leak, times the threshold", k < 1 ? Expect.NEVER
                    : k == 1 ? Expect.EITHER : Expect.FLAG, 0, 0, false, 0,
                    (t, age, r, ph, o) -> set(o, BASE + rate * t + noise(r), handles(r))));
        }
        double[] periods = {41, 5 * 60, 65 * 60, 100 * 60, 4 * HOUR};
        for (boolean leak : new boolean[]{true, false}) {
            for (double a : new double[]{1, 3, 10}) {
                for (double p : periods) {
                    double amplitude = a * SEED_RATE * DAY;
                    String name = (leak ? "leak-saw-" : "saw-") + factor(a) + "x-" + period(p);
                    double rate = leak ? SEED_RATE : 0;
                    out.add(new Scenario(name, leak ? "17 MB/day under a GC sawtooth (amplitude x daily leak, period)"
                            : "the same sawtooth, no leak", leak ? Expect.FLAG : Expect.NEVER, 0, 0, false, 0,
                            (t, age, r, ph, o) -> set(o, BASE + rate * t + sawtooth(t, p, amplitude, ph) + noise(r), handles(r))));
                }
            }
        }
        out.add(new Scenario("warm-up", "levelling off", Expect.NEVER, 0, 0, false, 0,
                (t, age, r, ph, o) -> set(o, BASE + 300 * MIB * (1 - Math.exp(-t / (30 * 60))) + sawtooth(t, 120, 8 * MIB, ph)
                        + noise(r), handles(r))));
        out.add(new Scenario("step", "levelling off", Expect.NEVER, 0, 0, false, 0,
                (t, age, r, ph, o) -> set(o, BASE + (t >= 30 * HOUR ? 250 * MIB : 0) + sawtooth(t, 120, 8 * MIB, ph) + noise(r),
                        handles(r) + (t >= 30 * HOUR ? 500 : 0))));
        double capAt = 18 * HOUR;
        out.add(new Scenario("capped-cache", "levelling off", Expect.CLEAR, 0, capAt, false, 0,
                (t, age, r, ph, o) -> set(o, BASE + 60 * MIB * Math.log1p(Math.min(t, capAt) / HOUR) / Math.log1p(capAt / HOUR)
                        + noise(r), handles(r))));
        double fullAt = 30 * HOUR;
        double fillRate = 5 * THRESHOLD;
        out.add(new Scenario("cache-fills-30h", "levelling off", Expect.CLEAR, 0, fullAt, false, 0,
                (t, age, r, ph, o) -> set(o, BASE + fillRate * Math.min(t, fullAt) + sawtooth(t, 65 * 60, 20 * MIB, ph) + noise(r),
                        handles(r))));
        for (double k : new double[]{1, 4, 10}) {
            double band = k * THRESHOLD * DAY;
            out.add(new Scenario("bounded-noise-" + factor(k) + "x", "random walk inside a band (width x daily threshold)",
                    Expect.NEVER, 0, 0, false, 0, new BoundedWalk(band, 3 * HOUR)));
        }
        for (double every : new double[]{6 * HOUR, 9.6 * HOUR}) {
            double rate = 5 * THRESHOLD;
            out.add(new Scenario("restart-leak-" + hours(every), "restarted (every 6 h or 9.6 h)", Expect.FLAG, 0, 0, false, every,
                    (t, age, r, ph, o) -> set(o, BASE + rate * age + noise(r), handles(r))));
            out.add(new Scenario("restart-flat-" + hours(every), "restarted (every 6 h or 9.6 h)", Expect.NEVER, 0, 0, false, every,
                    (t, age, r, ph, o) -> set(o, BASE + noise(r), handles(r))));
        }
        out.add(new Scenario("handle-leak", "handles", Expect.FLAG, 0, 0, true, 0,
                (t, age, r, ph, o) -> set(o, BASE + sawtooth(t, 120, 8 * MIB, ph) + noise(r),
                        60 + Math.floor(t / 300) + Math.round(Math.abs(r.nextGaussian()) * 3))));
        out.add(new Scenario("handle-churn", "handles", Expect.NEVER, 0, 0, false, 0,
                (t, age, r, ph, o) -> set(o, BASE + noise(r),
                        60 + Math.floor(sawtooth(t, 600, 400, ph)) + Math.round(Math.abs(r.nextGaussian()) * 3))));
        return out;
    }

    /**
     * A driftless random walk reflected inside [0, band]: a step every sample with a deviation such that
     * crossing the band takes about {@code crossingSeconds}, so it runs up and down inside it.
     */
    private static final class BoundedWalk implements Shape {
        private final double band;
        private final double step;
        private double position = Double.NaN;

        BoundedWalk(double band, double crossingSeconds) {
            this.band = band;
            this.step = band / Math.sqrt(crossingSeconds / STEP_SECONDS);
        }

        @Override
        public void sample(double t, double age, Random r, double phase, double[] out) {
            if (t == 0 || Double.isNaN(position)) {
                position = phase * band;
            } else {
                position += r.nextGaussian() * step;
                while (position < 0 || position > band) {
                    position = position < 0 ? -position : 2 * band - position;
                }
            }
            set(out, BASE + position + noise(r), handles(r));
        }
    }

    private static void set(double[] out, double privateBytes, double handles) {
        out[0] = privateBytes;
        out[1] = handles;
    }

    private static String factor(double k) {
        return k == Math.rint(k) ? Long.toString((long) k) : String.format(Locale.ROOT, "%.1f", k);
    }

    static String period(double seconds) {
        if (seconds < 120) {
            return (long) seconds + "s";
        }
        if (seconds < 2 * HOUR && seconds % HOUR != 0) {
            return (long) (seconds / 60) + "m";
        }
        return factor(seconds / HOUR) + "h";
    }

    private static String hours(double seconds) {
        return factor(seconds / HOUR) + "h";
    }
}
