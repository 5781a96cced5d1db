package io.leakwatch.leak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The leak-detection scenario corpus at the default scale (a 24 h window, one sample a minute): real days with
 * daily and weekly load, fresh processes, pools, restarts of the service and of leakwatch, gaps, handle leaks,
 * late leaks and floor-level noise at several time scales. Each scenario builds, for a seed, the processes of one
 * host with what each of them truly does (leaks from some time on, or never, or grows and then stops), and a target
 * for the verdicts. Both leakwatch (through {@link Backtest}) and the PromQL rules are judged on exactly these samples.
 * <p>
 * Seeds: {@link #TUNING_SEEDS} were used while the method was designed; {@link #HELD_OUT_SEEDS} were not looked at
 * until it was fixed, and the table in docs/leak-detection.md reports them.
 */
final class LeakCorpus {
    static final double MIB = 1024 * 1024;
    static final double GIB = 1024 * MIB;
    static final double MINUTE = 60;
    static final double HOUR = 3600;
    static final double DAY = 86400;
    static final double STEP = 60;
    /** Monday 2026-09-21 00:00 UTC: runs start on this week (time of day is UTC, the load's local time). */
    static final double MONDAY = 1_789_948_800;
    /** The default --leak.min-growth and --leak.min-handle-growth. */
    static final double THRESHOLD = 10 * MIB / DAY;
    static final double HANDLE_THRESHOLD = 100 / DAY;
    /** The field report's leak: about 1 GB in 60 days (17 MB/day, 1.6 times the threshold). */
    static final double SEED_RATE = 1e9 / (60 * DAY);
    static final double BASE = 40 * MIB;
    /** Allocator noise on every sample (absolute value of a normal with this deviation). */
    static final double NOISE = 0.5 * MIB;
    static final double HOST_MEMORY = 64 * GIB;
    static final long[] TUNING_SEEDS = {7919, 15838, 23757, 31676, 39595};
    static final long[] HELD_OUT_SEEDS = {104729, 209458, 314187, 418916, 523645, 628374, 733103, 837832, 942561, 1047290};

    /** What a correct verdict does for one process. */
    enum Role {
        /** Leaks from {@link Proc#leakStart()} on: flagged within the scenario's deadline, and stays flagged. */
        LEAKS,
        /** Never flagged (a false positive otherwise). */
        FLAT,
        /** Grows and stops: may be flagged, but not after {@link Proc#clearBy()}. */
        CLEARS,
        /** At the threshold: either answer is right. */
        EITHER
    }

    /** What the scenario's table row says. */
    enum Target { FLAG, NEVER, CLEAR, EITHER }

    /**
     * One life of a process: its pid and when it ran (seconds from the run's start, end exclusive).
     */
    record Life(long pid, double start, double end) {
    }

    /** Private bytes and handles of a process at {@code t} seconds into the run, {@code age} seconds into its life. */
    interface Shape {
        void sample(double t, double absolute, double age, int life, double[] out);
    }

    /**
     * One process (a service, possibly restarted) of a run.
     *
     * @param leakStart for LEAKS, seconds from the run's start when its leak starts (time to detect counts from here)
     * @param clearBy   for CLEARS, the latest a flag may last (seconds from the run's start)
     * @param handleLeak the leak is in handles, not memory
     */
    record Proc(String name, String cmdline, Role role, double leakStart, double clearBy, boolean handleLeak,
                List<Life> lives, Shape shape) {
    }

    /**
     * One run of a scenario on one host. Its shapes draw from one random generator as they are sampled: record a run once
     * ({@link LeakEvaluation.Recording}) and use that recording wherever the same samples are needed.
     *
     * @param startSeconds     Unix time of the run's start
     * @param durationSeconds  how long it is recorded
     * @param gaps             pairs [from, to) of seconds with no samples at all (leakwatch or the host down)
     * @param exporterRestarts seconds at which leakwatch itself restarts (through its state file)
     */
    record Run(double startSeconds, double durationSeconds, List<Proc> processes, double[] gaps, double[] exporterRestarts,
               double hostMemory) {
    }

    interface Builder {
        Run build(Random random);
    }

    /**
     * @param deadline for FLAG, how long after the leak's start a flag may take
     */
    record Scenario(String name, String group, Target target, double deadline, int seedsFactor, Builder builder) {
        Run run(long seed) {
            return builder.build(new Random(seed * 1_000_003L + name.hashCode()));
        }
    }

    private LeakCorpus() {
    }

    // ------------------------------------------------------------------ shapes

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

    static double hourOfDay(double absolute) {
        double d = absolute / DAY;
        return (d - Math.floor(d)) * 24;
    }

    /** 0 = Monday ... 6 = Sunday. */
    static int weekday(double absolute) {
        long days = (long) Math.floor((absolute - MONDAY) / DAY);
        return (int) Math.floorMod(days, 7L);
    }

    private static double smooth(double x) {
        double c = Math.max(0, Math.min(1, x));
        return c * c * (3 - 2 * c);
    }

    /** Office hours: 0 at night, up from 07:00 to 10:00, full until 17:00, down by 21:00. */
    static double office(double hour) {
        return smooth((hour - 7) / 3) * (1 - smooth((hour - 17) / 4));
    }

    /** A ramp from {@code from} rising for {@code hours}, then trimmed back within half an hour and low until {@code from}. */
    static double ramp(double hour, double from, double hours) {
        double h = hour - from;
        h = h - 24 * Math.floor(h / 24);
        if (h < hours) {
            return h / hours;
        }
        return h < hours + 0.5 ? 1 - (h - hours) / 0.5 : 0;
    }

    /** Rises for {@code hours} from {@code from}, stays up, trimmed at {@code trimAt} (hour of day). */
    static double rampHold(double hour, double from, double hours, double trimAt) {
        double h = hour - from;
        h = h - 24 * Math.floor(h / 24);
        double trim = trimAt - from;
        trim = trim - 24 * Math.floor(trim / 24);
        if (h >= trim) {
            return 0;
        }
        return Math.min(1, h / hours);
    }

    /** Per day a factor around 1 (the load is not the same every day): 15% deviation, at least 0.5. */
    static final class DailyVariation {
        private final long seed;

        DailyVariation(Random r) {
            this.seed = r.nextLong();
        }

        double factor(double absolute) {
            long day = (long) Math.floor(absolute / DAY);
            return Math.max(0.5, 1 + 0.15 * new Random(seed ^ (day * 0x9E3779B97F4A7C15L)).nextGaussian());
        }
    }

    /**
     * A driftless random walk reflected inside [0, band]: a step every sample with a deviation such that crossing the
     * band takes about {@code crossingSeconds}.
     */
    static final class BoundedWalk {
        private final double band;
        private final double step;
        private final Random r;
        private double position;

        BoundedWalk(double band, double crossingSeconds, Random r) {
            this.band = band;
            this.step = band / Math.sqrt(crossingSeconds / STEP);
            this.r = r;
            this.position = r.nextDouble() * band;
        }

        double next() {
            position += r.nextGaussian() * step;
            while (position < 0 || position > band) {
                position = position < 0 ? -position : 2 * band - position;
            }
            return position;
        }
    }

    private static void set(double[] out, double privateBytes, double handles) {
        out[0] = privateBytes;
        out[1] = handles;
    }

    // ------------------------------------------------------------------ helpers to build runs

    private static final String OWNER_CMD = "/opt/%s/bin/agent --config /etc/%s.yml";

    private static String cmd(String name) {
        return String.format(Locale.ROOT, OWNER_CMD, name, name);
    }

    /** One process living the whole run. */
    private static Proc one(String name, Role role, double leakStart, double clearBy, boolean handleLeak, double duration,
                            Shape shape) {
        return new Proc(name, cmd(name), role, leakStart, clearBy, handleLeak, List.of(new Life(4000, 0, duration)), shape);
    }

    private static Run run(double start, double duration, List<Proc> processes) {
        return new Run(start, duration, processes, new double[0], new double[0], HOST_MEMORY);
    }

    /** A start at {@code hour} (UTC) on a weekday chosen by the seed, so runs see different days of the week. */
    private static double startAt(Random r, double hour) {
        return MONDAY + r.nextInt(7) * DAY + hour * HOUR;
    }

    /** A start at a random time of a random day of the week. */
    private static double anyStart(Random r) {
        return MONDAY + r.nextInt(7) * DAY + Math.floor(r.nextDouble() * 24 * 60) * MINUTE;
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
        if (seconds >= 2 * DAY && seconds % DAY == 0) {
            return (long) (seconds / DAY) + "d";
        }
        return factor(seconds / HOUR) + "h";
    }

    // ------------------------------------------------------------------ the corpus

    static List<Scenario> all() {
        List<Scenario> out = new ArrayList<>();
        final double d36 = 36 * HOUR;

        // clean leaks
        for (double k : new double[]{0.5, 1, 1.7, 20}) {
            double rate = k * THRESHOLD;
            Role role = k < 1 ? Role.FLAT : k == 1 ? Role.EITHER : Role.LEAKS;
            Target target = k < 1 ? Target.NEVER : k == 1 ? Target.EITHER : Target.FLAG;
            out.add(new Scenario("clean-" + factor(k) + "x", "clean leaks", target, d36, 1, r -> {
                double dur = 3 * DAY;
                return run(anyStart(r), dur, List.of(one("clean", role, 0, 0, false, dur,
                        (t, a, age, life, o) -> set(o, BASE + rate * t + noise(r), handles(r)))));
            }));
        }
        // the sawtooth grid
        double[] periods = {41, 5 * MINUTE, 65 * MINUTE, 100 * MINUTE, 4 * HOUR};
        for (boolean leak : new boolean[]{true, false}) {
            for (double a : new double[]{1, 3, 10}) {
                for (double p : periods) {
                    double amplitude = a * SEED_RATE * DAY;
                    double rate = leak ? SEED_RATE : 0;
                    String name = (leak ? "leak-saw-" : "saw-") + factor(a) + "x-" + period(p);
                    out.add(new Scenario(name, leak ? "17 MB/day under a GC sawtooth" : "the same sawtooth, no leak",
                            leak ? Target.FLAG : Target.NEVER, d36, 1, r -> {
                        double dur = 3 * DAY;
                        double phase = r.nextDouble();
                        return run(anyStart(r), dur, List.of(one("saw", leak ? Role.LEAKS : Role.FLAT, 0, 0, false, dur,
                                (t, abs, age, life, o) -> set(o, BASE + rate * t + sawtooth(t, p, amplitude, phase) + noise(r),
                                        handles(r)))));
                    }));
                }
            }
        }
        // levelling off: warm-up, JVM heap growth in steps and ramps, caches
        out.add(new Scenario("warm-up", "warm-up, JVM heap steps and caches", Target.NEVER, 0, 1, r -> {
            double dur = 3 * DAY;
            double phase = r.nextDouble();
            return run(anyStart(r), dur, List.of(one("jvm", Role.FLAT, 0, 0, false, dur,
                    (t, abs, age, life, o) -> set(o, BASE + 300 * MIB * (1 - Math.exp(-t / (30 * MINUTE)))
                            + sawtooth(t, 120, 8 * MIB, phase) + noise(r), handles(r)))));
        }));
        for (double rampSeconds : new double[]{0, 20 * MINUTE, 2 * HOUR}) {
            String name = rampSeconds == 0 ? "heap-step" : "heap-step-ramp-" + period(rampSeconds);
            out.add(new Scenario(name, "warm-up, JVM heap steps and caches", Target.NEVER, 0, 2, r -> {
                double dur = 3 * DAY;
                double at = (2 + r.nextDouble() * 60) * HOUR;
                double size = (100 + r.nextDouble() * 400) * MIB;
                double phase = r.nextDouble();
                return run(anyStart(r), dur, List.of(one("jvm", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) -> {
                    double grown = rampSeconds == 0 ? (t >= at ? 1 : 0) : Math.max(0, Math.min(1, (t - at) / rampSeconds));
                    set(o, BASE + size * grown + sawtooth(t, 120, 8 * MIB, phase) + noise(r),
                            handles(r) + (t >= at ? 200 : 0));
                })));
            }));
        }
        out.add(new Scenario("heap-two-steps", "warm-up, JVM heap steps and caches", Target.NEVER, 0, 2, r -> {
            double dur = 4 * DAY;
            double at1 = (2 + r.nextDouble() * 70) * HOUR;
            double at2 = (2 + r.nextDouble() * 70) * HOUR;
            double s1 = (100 + r.nextDouble() * 400) * MIB;
            double s2 = (100 + r.nextDouble() * 400) * MIB;
            double ramp = r.nextBoolean() ? 0 : 20 * MINUTE;
            double phase = r.nextDouble();
            return run(anyStart(r), dur, List.of(one("jvm", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) -> {
                double g1 = ramp == 0 ? (t >= at1 ? 1 : 0) : Math.max(0, Math.min(1, (t - at1) / ramp));
                double g2 = ramp == 0 ? (t >= at2 ? 1 : 0) : Math.max(0, Math.min(1, (t - at2) / ramp));
                set(o, BASE + s1 * g1 + s2 * g2 + sawtooth(t, 120, 8 * MIB, phase) + noise(r), handles(r));
            })));
        }));
        double capAt = 18 * HOUR;
        out.add(new Scenario("capped-cache", "warm-up, JVM heap steps and caches", Target.CLEAR, 0, 1, r -> {
            double dur = 3 * DAY;
            return run(anyStart(r), dur, List.of(one("cache", Role.CLEARS, 0, capAt + DAY / 4, false, dur,
                    (t, abs, age, life, o) -> set(o, BASE + 60 * MIB * Math.log1p(Math.min(t, capAt) / HOUR)
                            / Math.log1p(capAt / HOUR) + noise(r), handles(r)))));
        }));
        double fullAt = 30 * HOUR;
        out.add(new Scenario("cache-fills-30h", "warm-up, JVM heap steps and caches", Target.CLEAR, 0, 1, r -> {
            double dur = 3 * DAY;
            double phase = r.nextDouble();
            return run(anyStart(r), dur, List.of(one("cache", Role.CLEARS, 0, fullAt + DAY / 4, false, dur,
                    (t, abs, age, life, o) -> set(o, BASE + 5 * THRESHOLD * Math.min(t, fullAt)
                            + sawtooth(t, 65 * MINUTE, 20 * MIB, phase) + noise(r), handles(r)))));
        }));

        // floor-level noise: random walks inside a band, at several time scales
        double[][] walks = {{1, 3 * HOUR}, {2, 3 * HOUR}, {4, 3 * HOUR}, {10, 3 * HOUR}, {2, 12 * HOUR}, {2, 2 * DAY}};
        for (double[] w : walks) {
            double band = w[0] * THRESHOLD * DAY;
            double crossing = w[1];
            out.add(new Scenario("bounded-noise-" + factor(w[0]) + "x-" + period(crossing),
                    "random walk inside a band (width x daily threshold, crossing time)", Target.NEVER, 0, 4, r -> {
                double dur = (crossing >= DAY ? 6 : 3) * DAY;
                BoundedWalk walk = new BoundedWalk(band, crossing, r);
                return run(anyStart(r), dur, List.of(one("walk", Role.FLAT, 0, 0, false, dur,
                        (t, abs, age, life, o) -> set(o, BASE + walk.next() + noise(r), handles(r)))));
            }));
        }

        // daily and weekly load
        for (double amplitude : new double[]{100 * MIB, 300e6, 20 * SEED_RATE * DAY}) {
            String a = String.format(Locale.ROOT, "%.0fMB", amplitude / 1e6);
            out.add(new Scenario("daily-load-" + a, "daily and weekly load", Target.NEVER, 0, 1, r -> {
                double dur = 7 * DAY;
                DailyVariation days = new DailyVariation(r);
                double phase = r.nextDouble();
                return run(anyStart(r), dur, List.of(one("web", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) ->
                        set(o, BASE + amplitude * days.factor(abs) * office(hourOfDay(abs)) + sawtooth(t, 300, 16 * MIB, phase)
                                + noise(r), handles(r) + Math.round(40 * office(hourOfDay(abs)))))));
            }));
        }
        for (double k : new double[]{1, 2, 5, 20}) {
            double amplitude = k * SEED_RATE * DAY;
            out.add(new Scenario("daily-load-" + factor(k) + "x-leak", "daily and weekly load", Target.FLAG, 4 * DAY, 1, r -> {
                double dur = 5 * DAY;
                DailyVariation days = new DailyVariation(r);
                double phase = r.nextDouble();
                return run(anyStart(r), dur, List.of(one("web", Role.LEAKS, 0, 0, false, dur, (t, abs, age, life, o) ->
                        set(o, BASE + SEED_RATE * t + amplitude * days.factor(abs) * office(hourOfDay(abs))
                                + sawtooth(t, 300, 16 * MIB, phase) + noise(r), handles(r)))));
            }));
        }
        out.add(new Scenario("weekly-load", "daily and weekly load", Target.NEVER, 0, 1, r -> {
            double dur = 14 * DAY;
            DailyVariation days = new DailyVariation(r);
            return run(anyStart(r), dur, List.of(one("web", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) ->
                    set(o, BASE + weekly(abs, 20 * SEED_RATE * DAY, days) + noise(r), handles(r)))));
        }));
        out.add(new Scenario("weekly-load-leak", "daily and weekly load", Target.FLAG, 8 * DAY, 1, r -> {
            double dur = 10 * DAY;
            DailyVariation days = new DailyVariation(r);
            return run(anyStart(r), dur, List.of(one("web", Role.LEAKS, 0, 0, false, dur, (t, abs, age, life, o) ->
                    set(o, BASE + SEED_RATE * t + weekly(abs, 20 * SEED_RATE * DAY, days) + noise(r), handles(r)))));
        }));
        // a fresh process started into a daytime ramp, at any hour
        for (double[] ramp : new double[][]{{7, 12}, {7, 14}}) {
            out.add(new Scenario("fresh-start-ramp-" + factor(ramp[1]) + "h", "fresh process on a daytime ramp", Target.NEVER, 0,
                    2, r -> {
                double dur = 4 * DAY;
                double amplitude = 300e6;
                DailyVariation days = new DailyVariation(r);
                // started at the ramp's start, or at any hour of it
                double startHour = r.nextBoolean() ? ramp[0] : ramp[0] + r.nextDouble() * ramp[1];
                return run(startAt(r, startHour), dur, List.of(one("app", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) ->
                        set(o, BASE + amplitude * days.factor(abs) * ramp(hourOfDay(abs), ramp[0], ramp[1]) + noise(r),
                                handles(r)))));
            }));
        }
        out.add(new Scenario("fresh-start-8h-trim-at-night", "fresh process on a daytime ramp", Target.NEVER, 0, 2, r -> {
            double dur = 4 * DAY;
            DailyVariation days = new DailyVariation(r);
            return run(startAt(r, 6), dur, List.of(one("app", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) ->
                    set(o, BASE + 300e6 * days.factor(abs) * rampHold(hourOfDay(abs), 6, 8, 2) + noise(r), handles(r)))));
        }));
        out.add(new Scenario("fresh-start-any-hour-office", "fresh process on a daytime ramp", Target.NEVER, 0, 2, r -> {
            double dur = 4 * DAY;
            DailyVariation days = new DailyVariation(r);
            return run(anyStart(r), dur, List.of(one("app", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) ->
                    set(o, BASE + 300e6 * days.factor(abs) * office(hourOfDay(abs)) + noise(r), handles(r)))));
        }));

        // restarts of the service
        for (double every : new double[]{6 * HOUR, 9.6 * HOUR}) {
            out.add(new Scenario("restart-leak-" + period(every), "restarted services", Target.FLAG, d36, 1, r -> {
                double dur = 3 * DAY;
                return run(anyStart(r), dur, List.of(restarted("svc", Role.LEAKS, every, dur,
                        (t, abs, age, life, o) -> set(o, BASE + 5 * THRESHOLD * age + noise(r), handles(r)))));
            }));
            out.add(new Scenario("restart-flat-" + period(every), "restarted services", Target.NEVER, 0, 1, r -> {
                double dur = 3 * DAY;
                return run(anyStart(r), dur, List.of(restarted("svc", Role.FLAT, every, dur,
                        (t, abs, age, life, o) -> set(o, BASE + noise(r), handles(r)))));
            }));
        }
        out.add(new Scenario("restart-handle-leak-6h", "restarted services", Target.FLAG, d36, 1, r -> {
            double dur = 3 * DAY;
            Proc p = restarted("svc", Role.LEAKS, 6 * HOUR, dur, (t, abs, age, life, o) ->
                    set(o, BASE + noise(r), 60 + Math.floor(age / 120) + Math.round(Math.abs(r.nextGaussian()) * 3)));
            return run(anyStart(r), dur, List.of(new Proc(p.name(), p.cmdline(), p.role(), 0, 0, true, p.lives(), p.shape())));
        }));
        out.add(new Scenario("crash-loop", "restarted services", Target.NEVER, 0, 1, r -> {
            double dur = 2 * DAY;
            List<Life> lives = new ArrayList<>();
            long pid = 4000;
            for (double t = 0; t < dur; ) {
                double len = (30 + r.nextDouble() * 60) * MINUTE;
                lives.add(new Life(pid++, t, Math.min(dur, t + len)));
                t += len + MINUTE;
            }
            return run(anyStart(r), dur, List.of(new Proc("crashy", cmd("crashy"), Role.FLAT, 0, 0, false, lives,
                    (t, abs, age, life, o) -> set(o, BASE + 50 * MIB * (1 - Math.exp(-age / 600)) + noise(r), handles(r)))));
        }));
        // restarts of leakwatch itself (the history goes through the state file)
        for (boolean handles : new boolean[]{false, true}) {
            out.add(new Scenario(handles ? "exporter-restart-handle-leak" : "exporter-restart-leak", "restarts of leakwatch",
                    Target.FLAG, d36, 1, r -> {
                double dur = 3 * DAY;
                Proc p = one("svc", Role.LEAKS, 0, 0, handles, dur, (t, abs, age, life, o) -> set(o,
                        BASE + (handles ? 0 : 5 * THRESHOLD * t) + noise(r),
                        handles ? 60 + Math.floor(t / 300) + Math.round(Math.abs(r.nextGaussian()) * 3) : handles(r)));
                double at = (30 + r.nextDouble() * 12) * HOUR;
                return new Run(anyStart(r), dur, List.of(p), new double[]{at, at + 2 * MINUTE}, new double[]{at + 2 * MINUTE},
                        HOST_MEMORY);
            }));
        }
        out.add(new Scenario("restart-handle-leak-6h-and-exporter", "restarts of leakwatch", Target.FLAG, d36, 1, r -> {
            double dur = 3 * DAY;
            Proc p = restarted("svc", Role.LEAKS, 6 * HOUR, dur, (t, abs, age, life, o) ->
                    set(o, BASE + noise(r), 60 + Math.floor(age / 120) + Math.round(Math.abs(r.nextGaussian()) * 3)));
            double at = (30 + r.nextDouble() * 12) * HOUR;
            return new Run(anyStart(r), dur, List.of(new Proc(p.name(), p.cmdline(), p.role(), 0, 0, true, p.lives(), p.shape())),
                    new double[]{at, at + 2 * MINUTE}, new double[]{at + 2 * MINUTE}, HOST_MEMORY);
        }));

        // pools of identical workers
        out.add(new Scenario("pool-flat", "pools", Target.NEVER, 0, 1, r -> {
            double dur = 3 * DAY;
            return run(anyStart(r), dur, pool(r, 8, dur, -1, 0, 0));
        }));
        out.add(new Scenario("pool-one-leaker", "pools", Target.FLAG, d36, 1, r -> {
            double dur = 3 * DAY;
            return run(anyStart(r), dur, pool(r, 8, dur, r.nextInt(8), SEED_RATE, 0));
        }));
        out.add(new Scenario("pool-leaker-recycled", "pools", Target.FLAG, d36, 1, r -> {
            // the leaking worker is recycled at 40 h; a flat worker takes its place and must not inherit its verdict
            double dur = 3 * DAY;
            return run(anyStart(r), dur, pool(r, 8, dur, r.nextInt(8), 5 * THRESHOLD, 40 * HOUR));
        }));
        out.add(new Scenario("pool-recycled-2h-flat", "pools", Target.NEVER, 0, 1, r -> {
            double dur = 3 * DAY;
            return run(anyStart(r), dur, recycledPool(r, 8, dur, 2 * HOUR, false));
        }));
        out.add(new Scenario("pool-recycled-2h-leaking", "pools", Target.FLAG, d36, 1, r -> {
            double dur = 3 * DAY;
            return run(anyStart(r), dur, recycledPool(r, 8, dur, 2 * HOUR, true));
        }));

        // the same pid, reused
        for (boolean sameCmdline : new boolean[]{true, false}) {
            out.add(new Scenario(sameCmdline ? "pid-reused-same-cmdline" : "pid-reused-other-cmdline", "pids reused",
                    Target.FLAG, d36, 1, r -> {
                double dur = 3 * DAY;
                double switchAt = (36 + r.nextDouble() * 6) * HOUR;
                List<Proc> ps = new ArrayList<>();
                ps.add(new Proc("agent", cmd("agent"), Role.LEAKS, 0, 0, false, List.of(new Life(4242, 0, switchAt)),
                        (t, abs, age, life, o) -> set(o, BASE + 5 * THRESHOLD * t + noise(r), handles(r))));
                // the next process under the same pid and name: flat; with the same command line it is the same program
                // restarted (may inherit the verdict for a while, cleared by its own flat data), else a stranger
                String cmdline = sameCmdline ? cmd("agent") : "/usr/bin/agent --once";
                double clearBy = sameCmdline ? switchAt + DAY / 4 : 0;
                ps.add(new Proc("agent", cmdline, sameCmdline ? Role.CLEARS : Role.FLAT, 0, clearBy, false,
                        List.of(new Life(4242, switchAt + MINUTE, dur)),
                        (t, abs, age, life, o) -> set(o, BASE + noise(r), handles(r))));
                return run(anyStart(r), dur, ps);
            }));
        }

        // gaps: no samples for 8 h (a paused VM, a stopped leakwatch)
        for (boolean leak : new boolean[]{true, false}) {
            out.add(new Scenario(leak ? "gap-8h-leak" : "gap-8h-flat", "gaps", leak ? Target.FLAG : Target.NEVER, d36 + 8 * HOUR, 1, r -> {
                double dur = 3 * DAY;
                double phase = r.nextDouble();
                Proc p = one("svc", leak ? Role.LEAKS : Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) ->
                        set(o, BASE + (leak ? SEED_RATE * t : 0) + sawtooth(t, 65 * MINUTE, 17e6, phase) + noise(r), handles(r)));
                double at = (30 + r.nextDouble() * 12) * HOUR;
                return new Run(anyStart(r), dur, List.of(p), new double[]{at, at + 8 * HOUR}, new double[0], HOST_MEMORY);
            }));
        }
        // a leak that starts after two flat days
        out.add(new Scenario("late-leak", "late leaks", Target.FLAG, d36, 1, r -> {
            double dur = 4 * DAY;
            double from = 2 * DAY;
            double phase = r.nextDouble();
            return run(anyStart(r), dur, List.of(one("svc", Role.LEAKS, from, 0, false, dur, (t, abs, age, life, o) ->
                    set(o, BASE + SEED_RATE * Math.max(0, t - from) + sawtooth(t, 65 * MINUTE, 17e6, phase) + noise(r),
                            handles(r)))));
        }));
        // handles
        out.add(new Scenario("handle-leak", "handles", Target.FLAG, d36, 1, r -> {
            double dur = 3 * DAY;
            double phase = r.nextDouble();
            return run(anyStart(r), dur, List.of(one("svc", Role.LEAKS, 0, 0, true, dur, (t, abs, age, life, o) ->
                    set(o, BASE + sawtooth(t, 120, 8 * MIB, phase) + noise(r),
                            60 + Math.floor(t / 300) + Math.round(Math.abs(r.nextGaussian()) * 3)))));
        }));
        out.add(new Scenario("handle-churn", "handles", Target.NEVER, 0, 1, r -> {
            double dur = 3 * DAY;
            double phase = r.nextDouble();
            return run(anyStart(r), dur, List.of(one("svc", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) ->
                    set(o, BASE + noise(r), 60 + Math.floor(sawtooth(t, 600, 400, phase)) + Math.round(Math.abs(r.nextGaussian()) * 3)))));
        }));
        // urgent: growth that fills the host within a day
        for (double fillHours : new double[]{12, 20}) {
            out.add(new Scenario("urgent-fills-in-" + factor(fillHours) + "h", "urgent", Target.FLAG, 6 * HOUR, 1, r -> {
                double dur = DAY;
                double host = 16 * GIB;
                double start = 2 * GIB;
                double rate = (host - start) / (fillHours * HOUR);
                double phase = r.nextDouble();
                Proc p = one("svc", Role.LEAKS, 0, 0, false, dur, (t, abs, age, life, o) ->
                        set(o, start + rate * t + sawtooth(t, 120, 64 * MIB, phase) + noise(r), handles(r)));
                return new Run(anyStart(r), dur, List.of(p), new double[0], new double[0], host);
            }));
        }
        out.add(new Scenario("fast-warm-up-small-host", "urgent", Target.NEVER, 0, 1, r -> {
            double dur = 2 * DAY;
            double phase = r.nextDouble();
            Proc p = one("svc", Role.FLAT, 0, 0, false, dur, (t, abs, age, life, o) ->
                    set(o, 500 * MIB + 1.5 * GIB * Math.min(1, t / (2 * HOUR)) + sawtooth(t, 120, 64 * MIB, phase) + noise(r),
                            handles(r)));
            return new Run(anyStart(r), dur, List.of(p), new double[0], new double[0], 4 * GIB);
        }));
        return out;
    }

    /** Weekday office load, a fifth of it on weekends; back to the same idle level every night. */
    static double weekly(double abs, double amplitude, DailyVariation days) {
        boolean weekday = weekday(abs) < 5;
        return amplitude * days.factor(abs) * office(hourOfDay(abs)) * (weekday ? 1 : 0.2);
    }

    private static Proc restarted(String name, Role role, double every, double duration, Shape shape) {
        List<Life> lives = new ArrayList<>();
        long pid = 4000;
        for (double t = 0; t < duration; t += every) {
            lives.add(new Life(pid++, t, Math.min(duration, t + every)));
        }
        return new Proc(name, cmd(name), role, 0, 0, false, lives, shape);
    }

    /**
     * Workers of one program (same name, owner and command line) side by side; worker {@code leaker} (if any) leaks at
     * {@code rate} and, when {@code recycleAt} > 0, is replaced then by a flat worker.
     */
    private static List<Proc> pool(Random r, int workers, double duration, int leaker, double rate, double recycleAt) {
        List<Proc> out = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            double phase = r.nextDouble();
            long pid = 5000 + w;
            boolean leaks = w == leaker;
            double end = leaks && recycleAt > 0 ? recycleAt : duration;
            out.add(new Proc("worker", cmd("worker"), leaks ? Role.LEAKS : Role.FLAT, 0, 0, false, List.of(new Life(pid, 0, end)),
                    (t, abs, age, life, o) -> set(o, BASE + (leaks ? rate * age : 0) + sawtooth(t, 120, 8 * MIB, phase) + noise(r),
                            handles(r))));
            if (leaks && recycleAt > 0) {
                out.add(new Proc("worker", cmd("worker"), Role.FLAT, 0, 0, false, List.of(new Life(6000, recycleAt + MINUTE, duration)),
                        (t, abs, age, life, o) -> set(o, BASE + sawtooth(t, 120, 8 * MIB, phase) + noise(r), handles(r))));
            }
        }
        return out;
    }

    /** Workers recycled every {@code every}, staggered so one is replaced every {@code every / workers}. */
    private static List<Proc> recycledPool(Random r, int workers, double duration, double every, boolean leaking) {
        List<Proc> out = new ArrayList<>();
        long pid = 7000;
        for (int w = 0; w < workers; w++) {
            List<Life> lives = new ArrayList<>();
            double offset = every * w / workers;
            lives.add(new Life(pid++, 0, offset == 0 ? every : offset));
            for (double t = lives.get(0).end(); t < duration; t += every) {
                lives.add(new Life(pid++, t, Math.min(duration, t + every)));
            }
            double phase = r.nextDouble();
            double rate = 20 * THRESHOLD;
            out.add(new Proc("worker", cmd("worker"), leaking ? Role.LEAKS : Role.FLAT, 0, 0, false, lives,
                    (t, abs, age, life, o) -> set(o, BASE + (leaking ? rate * age : 0) + sawtooth(t, 120, 8 * MIB, phase) + noise(r),
                            handles(r))));
        }
        return out;
    }
}
