package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static io.leakwatch.leak.Series.DAY;
import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.SEED_BYTES_PER_SECOND;
import static io.leakwatch.leak.Series.noise;
import static io.leakwatch.leak.Series.sawtooth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Must flag / must not flag" cases on synthetic series sampled with a random jitter (the scenario corpus of
 * {@link LeakEvaluationTest} samples on a fixed grid), each with 5 noise seeds, through the real detector with the
 * default settings (24 h window, 60 s samples, 10 MiB/day, 100 handles/day). A leak is named within a day and a half:
 * a whole window of history, and the lowest value of the window above that of the part before it.
 */
class LeakVerdictTest {
    private static final LeakSettings DEFAULTS = Series.defaults();
    private static final double BASE = 40 * MIB;

    static List<Long> seeds() {
        return Series.seeds(5);
    }

    /**
     * The seed's Go service: ~17 MB/day of native memory never freed, under a GC sawtooth of 8 MiB and allocator noise.
     * A GC period of exactly twice the 60 s sample interval is the worst case (samples alias onto the same phases).
     */
    private static double seedService(double t, long seed, double gcPeriod) {
        return BASE + SEED_BYTES_PER_SECOND * t + sawtooth(t, gcPeriod, 8 * MIB) + Math.abs(noise(seed, t, 512 * 1024));
    }

    private static double seedService(double t, long seed) {
        return seedService(t, seed, 120);
    }

    private static double handlesSteady(double t, long seed) {
        return 120 + Math.round(noise(seed, t, 2));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void seedRateWithRealisticNoiseIsASuspectWithinADayAndAHalf(long seed) {
        LeakVerdict v = Series.run(DEFAULTS, 1.5 * DAY, t -> seedService(t, seed), t -> handlesSteady(t, seed), seed);
        assertTrue(v.suspect(), v.privateBytes().why());
        assertTrue(v.privateBytes().suspect());
        assertFalse(v.handles().suspect(), v.handles().why());
        double rate = v.privateBytes().slopePerSecond();
        assertEquals(SEED_BYTES_PER_SECOND, rate, 0.15 * SEED_BYTES_PER_SECOND, "Theil-Sen recovers the seed's rate");
        // 64 GiB host as in the seed: years away, but finite and consistent with the rate
        assertEquals((64 * 1024 * MIB - v.lastPrivateBytes()) / rate, v.secondsUntilPhysicalMemory(), 1);
        assertEquals("suspect", v.summary());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void seedRateIsCaughtOnceADayShowsItAndItsLowRoseAndConfirmed(long seed) {
        // a whole window, its low 5 MiB (half the threshold's day) above the first hours' low (about 7 h of the seed's
        // leak), and 3 bucket ends in a row that confirm it
        LeakVerdict v = Series.run(DEFAULTS, 34 * 3600, t -> seedService(t, seed, 97), t -> handlesSteady(t, seed), seed);
        assertTrue(v.suspect(), v.privateBytes().why());
        LeakVerdict day = Series.run(DEFAULTS, 25 * 3600, t -> seedService(t, seed, 97), t -> handlesSteady(t, seed), seed);
        assertFalse(day.suspect(), "a day's rise alone may be a daily ramp: " + day.privateBytes().why());
        assertEquals(ResourceVerdict.Outcome.NOT_STEADY, day.privateBytes().outcome(), day.privateBytes().why());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void seedRateWithLessThanHalfTheWindowIsStillLearning(long seed) {
        LeakVerdict v = Series.run(DEFAULTS, 0.4 * DAY, t -> seedService(t, seed), t -> handlesSteady(t, seed), seed);
        assertFalse(v.suspect());
        assertEquals(ResourceVerdict.Outcome.LEARNING, v.privateBytes().outcome(), v.privateBytes().why());
        assertTrue(v.privateBytes().slopePerSecond() > 0.7 * SEED_BYTES_PER_SECOND, "the rate is already exported");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void gcSawtoothWithNoNetGrowthIsNotFlagged(long seed) {
        LeakVerdict v = Series.run(DEFAULTS, 2 * DAY,
                t -> BASE + sawtooth(t, 180, 300 * MIB) + noise(seed, t, 4 * MIB), t -> handlesSteady(t, seed), seed);
        assertFalse(v.suspect(), v.privateBytes().why());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void cacheSawtoothLongerThanABucketIsNotFlagged(long seed) {
        // a cache that fills for 6 h and is flushed: the floors themselves saw-tooth, 300 MiB a cycle
        LeakVerdict v = Series.run(DEFAULTS, 2 * DAY,
                t -> BASE + sawtooth(t + seed % 21600, 6 * 3600, 300 * MIB) + noise(seed, t, MIB), t -> handlesSteady(t, seed), seed);
        assertFalse(v.suspect(), v.privateBytes().why());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void warmUpRampThatPlateausIsNotFlagged(long seed) {
        // ramps 600 MiB over the first 10 h (40% of the window), then flat
        LeakVerdict v = Series.run(DEFAULTS, DAY,
                t -> BASE + Math.min(t, 10 * 3600) / (10 * 3600) * 600 * MIB + sawtooth(t, 120, 8 * MIB) + noise(seed, t, MIB),
                t -> 50 + Math.min(t, 3600) / 36 + Math.round(noise(seed, t, 2)), seed);
        assertFalse(v.suspect(), v.privateBytes().why() + " / " + v.handles().why());
        assertTrue(v.privateBytes().slopePerSecond() > DEFAULTS.minGrowthBytesPerSecond(),
                "the trend alone would flag it: consistency must be what saves it");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aCacheThatStopsGrowingLosesItsVerdictAndItsProjectionWithinAQuarterWindow(long seed) {
        // grows 100 MiB/day for 30 h, then stays at its size
        java.util.function.DoubleUnaryOperator cache = t -> BASE + 100 * MIB / DAY * Math.min(t, 30 * 3600) + Math.abs(noise(seed, t, MIB));
        LeakVerdict growing = Series.run(DEFAULTS, 29 * 3600, cache, t -> handlesSteady(t, seed), seed);
        assertTrue(growing.suspect(), growing.privateBytes().why());
        assertTrue(Double.isFinite(growing.secondsUntilPhysicalMemory()), "projected while it grows");
        LeakVerdict full = Series.run(DEFAULTS, 36 * 3600, cache, t -> handlesSteady(t, seed), seed);
        assertFalse(full.suspect(), full.privateBytes().why());
        assertTrue(full.privateBytes().outcome() == ResourceVerdict.Outcome.LEVELLED_OFF
                || full.privateBytes().outcome() == ResourceVerdict.Outcome.NOT_STEADY, full.privateBytes().why());
        assertTrue(Double.isNaN(full.secondsUntilPhysicalMemory()), "no projection once it stopped");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void decelaratingWarmUpThatLevelsOffIsNotFlaggedOnceFlat(long seed) {
        // cache filling asymptotically (time constant 2 h): a day later it has levelled off
        LeakVerdict v = Series.run(DEFAULTS, 2 * DAY,
                t -> BASE + 400 * MIB * (1 - Math.exp(-t / 7200)) + noise(seed, t, MIB), t -> handlesSteady(t, seed), seed);
        assertFalse(v.suspect(), v.privateBytes().why());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void oneTimeStepIsNotFlagged(long seed) {
        for (double stepAt : new double[]{0.3, 0.5, 0.7, 0.9}) {
            LeakVerdict v = Series.run(DEFAULTS, DAY,
                    t -> BASE + (t >= stepAt * DAY ? 250 * MIB : 0) + sawtooth(t, 120, 8 * MIB) + noise(seed, t, MIB),
                    t -> 40 + (t >= stepAt * DAY ? 500 : 0) + Math.round(noise(seed, t, 1)), seed);
            assertFalse(v.suspect(), "step at " + stepAt + ": " + v.privateBytes().why() + " / " + v.handles().why());
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void growthBelowTheThresholdIsNotFlagged(long seed) {
        LeakVerdict v = Series.run(DEFAULTS, 1.5 * DAY, t -> BASE + 5 * MIB / DAY * t + noise(seed, t, 64 * 1024),
                t -> handlesSteady(t, seed), seed);
        assertFalse(v.suspect());
        assertEquals(ResourceVerdict.Outcome.STABLE, v.privateBytes().outcome(), v.privateBytes().why());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void loudNoiseWithoutTrendIsNotFlagged(long seed) {
        LeakVerdict v = Series.run(DEFAULTS, DAY, t -> BASE + Math.abs(noise(seed, t, 200 * MIB)), t -> handlesSteady(t, seed), seed);
        assertFalse(v.suspect(), v.privateBytes().why());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void handleLeakIsASuspectOnHandlesOnly(long seed) {
        // one handle every 5 minutes never closed = 288/day, under +-3 of churn
        LeakVerdict v = Series.run(DEFAULTS, 1.5 * DAY, t -> BASE + sawtooth(t, 120, 8 * MIB) + noise(seed, t, MIB),
                t -> 60 + Math.floor(t / 300) + Math.round(Math.abs(noise(seed, t, 3))), seed);
        assertTrue(v.suspect(), v.handles().why());
        assertTrue(v.handles().suspect());
        assertFalse(v.privateBytes().suspect(), v.privateBytes().why());
        assertEquals(288.0 / DAY, v.handles().slopePerSecond(), 0.1 * 288 / DAY);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void handleChurnWithoutGrowthIsNotFlagged(long seed) {
        LeakVerdict v = Series.run(DEFAULTS, DAY, t -> BASE + noise(seed, t, MIB),
                t -> 60 + sawtooth(t, 600, 400) + Math.round(Math.abs(noise(seed, t, 3))), seed);
        assertFalse(v.handles().suspect(), v.handles().why());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aLeakingServiceRestartedEveryEightHoursIsASuspectOnItsCurrentPid(long seed) {
        LeakDetector detector = new LeakDetector(DEFAULTS, 64 * 1024 * MIB);
        double restartEvery = 8 * 3600;
        LeakReport r = null;
        for (double t = 0; t <= 2 * DAY; t += 60) {
            long instance = (long) (t / restartEvery);
            double sinceStart = t - instance * restartEvery;
            var info = Series.info("svc", 1000 + instance, Series.T0 + instance * restartEvery);
            // leaks fast (1 GiB/day), but never for long in one lifetime: each life starts low again
            detector.ingest(Series.snapshot(Series.sample(info, BASE + 1024 * MIB / DAY * sinceStart + Math.abs(noise(seed, t, MIB)), 50)),
                    Series.T0 + t);
            r = detector.evaluate(Series.T0 + t);
            assertEquals(1, r.processes().size(), "the previous instance was dropped after its last verdict");
        }
        LeakVerdict v = r.processes().get(0);
        assertEquals(1006, v.info().pid(), "the verdict is on the current pid");
        assertTrue(v.suspect(), v.privateBytes().why());
        assertEquals(1024 * MIB / DAY, v.privateBytes().slopePerSecond(), 0.05 * 1024 * MIB / DAY, "the growth per age of a life");
        assertFalse(v.earlierLives().isEmpty(), "its earlier lives are listed");
        assertTrue(v.earlierLives().stream().allMatch(l -> l.pid() >= 1003 && l.pid() < 1006), "only lives inside the window");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aFlatServiceRestartedEveryEightHoursIsNeverASuspect(long seed) {
        LeakDetector detector = new LeakDetector(DEFAULTS, 64 * 1024 * MIB);
        double restartEvery = 8 * 3600;
        for (double t = 0; t <= 2 * DAY; t += 60) {
            long instance = (long) (t / restartEvery);
            var info = Series.info("svc", 1000 + instance, Series.T0 + instance * restartEvery);
            // every life warms up by 30 MiB in its first 20 minutes, then stays flat
            double sinceStart = t - instance * restartEvery;
            detector.ingest(Series.snapshot(Series.sample(info, BASE + 30 * MIB * Math.min(1, sinceStart / 1200)
                    + Math.abs(noise(seed, t, MIB)), 50)), Series.T0 + t);
            LeakReport r = detector.evaluate(Series.T0 + t);
            assertTrue(r.suspects().isEmpty(), "t=" + t + ": " + r.processes().get(0).privateBytes().why());
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void pidReusedByANewProcessStartsANewHistory(long seed) {
        LeakDetector detector = new LeakDetector(DEFAULTS, 64 * 1024 * MIB);
        var first = Series.info("svc", 77, Series.T0);
        double end = 1.5 * DAY;
        for (double t = 0; t <= end; t += 60) {
            detector.ingest(Series.snapshot(Series.sample(first, Math.max(BASE, seedService(t, seed) * 20 - 19 * BASE), 50)),
                    Series.T0 + t);
            detector.evaluate(Series.T0 + t);
        }
        assertTrue(detector.evaluate(Series.T0 + end).processes().get(0).suspect());
        var reused = Series.info("other", 77, Series.T0 + end + 30); // another program got the pid
        detector.ingest(Series.snapshot(Series.sample(reused, BASE, 50)), Series.T0 + end + 60);
        LeakVerdict v = detector.evaluate(Series.T0 + end + 60).processes().get(0);
        assertEquals(Series.T0 + end + 30, v.info().startTimeSeconds());
        assertFalse(v.suspect());
        assertEquals(0, v.coverageSeconds());
        assertEquals(1, detector.evaluate(Series.T0 + end + 60).exitedSuspects().size(), "the old instance's last verdict is kept");
    }

    /**
     * A process that exits between two bucket ends keeps the verdict it last had: nothing new is known, so its exit
     * must not count as one more bucket that confirms the growth.
     */
    @org.junit.jupiter.api.Test
    void aProcessThatExitsWhileConfirmingIsNotConfirmedByItsExit() {
        long seed = Series.seeds(1).get(0);
        var info = Series.info("svc", 4242, Series.T0 - 5);
        double suspectAt = -1; // the first bucket end at which it becomes a suspect
        LeakDetector uninterrupted = new LeakDetector(DEFAULTS, 64 * 1024 * MIB);
        for (double t = 0; t <= 1.5 * DAY && suspectAt < 0; t += 60) {
            uninterrupted.ingest(Series.snapshot(Series.sample(info, seedService(t, seed, 97), handlesSteady(t, seed))), Series.T0 + t);
            suspectAt = uninterrupted.evaluate(Series.T0 + t).processes().get(0).suspect() ? t : -1;
        }
        assertTrue(suspectAt > 0, "the seed's leak becomes a suspect within a day and a half");

        LeakDetector detector = new LeakDetector(DEFAULTS, 64 * 1024 * MIB);
        LeakVerdict last = null;
        for (double t = 0; t < suspectAt; t += 60) {
            detector.ingest(Series.snapshot(Series.sample(info, seedService(t, seed, 97), handlesSteady(t, seed))), Series.T0 + t);
            last = detector.evaluate(Series.T0 + t).processes().get(0);
        }
        assertEquals(ResourceVerdict.Outcome.CONFIRMING, last.privateBytes().outcome(), last.privateBytes().why());
        detector.ingest(Series.snapshot(), Series.T0 + suspectAt - 30); // the next collection no longer finds it
        LeakReport report = detector.evaluate(Series.T0 + suspectAt - 30);
        assertEquals(List.of(), report.processes());
        assertEquals(List.of(), report.exitedSuspects(), "it exited while still confirming, one bucket short of a suspect");
    }

    @org.junit.jupiter.api.Test
    void theBucketStillFillingIsNotJudged() {
        LeakDetector detector = new LeakDetector(DEFAULTS, 64 * 1024 * MIB);
        var info = Series.info("svc", 4242, Series.T0 - 5);
        double t = 0;
        for (; t < 13 * 3600; t += 60) {
            detector.ingest(Series.snapshot(Series.sample(info, BASE, 50)), Series.T0 + t);
            detector.evaluate(Series.T0 + t);
        }
        LeakVerdict before = detector.evaluate(Series.T0 + t).processes().get(0);
        long bucket = (long) Math.floor((Series.T0 + t) / DEFAULTS.bucketSeconds());
        // a burst at the start of a new bucket: its floor so far is far above every complete one
        double start = (bucket + 1) * DEFAULTS.bucketSeconds() - Series.T0;
        detector.ingest(Series.snapshot(Series.sample(info, BASE + 4096 * MIB, 50)), Series.T0 + start + 1);
        LeakVerdict filling = detector.evaluate(Series.T0 + start + 2).processes().get(0);
        assertTrue(java.util.Arrays.stream(filling.history().ids()).allMatch(id -> id <= bucket), "only complete buckets");
        assertEquals(before.privateBytes().slopePerSecond(), filling.privateBytes().slopePerSecond());
        assertEquals(before.privateBytes().outcome(), filling.privateBytes().outcome());
        assertEquals(BASE + 4096 * MIB, filling.lastPrivateBytes(), "the newest sample is still shown");
    }
}
