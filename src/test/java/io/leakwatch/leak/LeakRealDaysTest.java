package io.leakwatch.leak;

import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static io.leakwatch.leak.LeakCorpus.DAY;
import static io.leakwatch.leak.LeakCorpus.HOUR;
import static io.leakwatch.leak.LeakCorpus.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What went wrong on real days (daily load, fresh processes, pools, gaps, handles), each through the backtest path on
 * the corpus's shapes, at the default settings, with fixed seeds that are printed. Every one of these failed before the
 * method learned about days.
 */
class LeakRealDaysTest {
    private static final long[] SEEDS = {LeakCorpus.TUNING_SEEDS[0], LeakCorpus.TUNING_SEEDS[1], LeakCorpus.TUNING_SEEDS[2]};

    static LeakCorpus.Scenario scenario(String name) {
        return LeakCorpus.all().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** Runs each scenario for each seed (and the seeds derived from it) and lists the runs that missed their target. */
    private static List<String> misses(long[] seeds, String... names) {
        List<String> misses = new ArrayList<>();
        for (String name : names) {
            misses.addAll(exactly(name, LeakEvaluationRuns.seedsOf(scenario(name), seeds)));
        }
        return misses;
    }

    /** Runs a scenario for exactly these seeds and lists the runs that missed its target. */
    private static List<String> exactly(String name, long... seeds) {
        LeakCorpus.Scenario s = scenario(name);
        List<String> misses = new ArrayList<>();
        for (long seed : seeds) {
            LeakEvaluation.Outcome o = LeakEvaluation.run(s, seed);
            String line = String.format(Locale.ROOT, "%s seed %d: %s", name, seed, o);
            System.out.println(line);
            if (!o.meets(s)) {
                misses.add(line);
            }
        }
        return misses;
    }

    /** Failure 1: the seed's 17 MB/day under a daily swing of 5 and 20 times it, and under weekly load. */
    @Test
    void aLeakUnderDailyOrWeeklyLoadIsFlaggedWithinFourOrEightDays() {
        assertEquals(List.of(), misses(SEEDS, "daily-load-5x-leak", "daily-load-20x-leak", "weekly-load-leak"));
    }

    /** Failure 2: a process started into a daytime ramp of 12 or 14 h, or one that rises 8 h and is trimmed at night. */
    @Test
    void aFreshProcessStartedIntoADaytimeRampIsNeverASuspect() {
        assertEquals(List.of(), misses(LeakCorpus.TUNING_SEEDS,
                "fresh-start-ramp-14h", "fresh-start-ramp-12h", "fresh-start-8h-trim-at-night"));
    }

    /**
     * Failure 3: floor-level noise inside a band twice the threshold, crossing it in 12 hours or in 2 days. The seeds
     * are runs the detector flagged before it compared the lowest values of successive windows (and a few it did not).
     */
    @Test
    void slowWanderInsideABandIsNeverASuspect() {
        List<String> misses = new ArrayList<>();
        misses.addAll(exactly("bounded-noise-2x-12h", 1000105846, 3000224645L, 1000335497, 478032, 509708, 1000509715, 90001, 97920));
        misses.addAll(exactly("bounded-noise-2x-2d", 1000090008, 97920, 3000097941L, 1000105846, 2000105853, 121677, 2000121691,
                2000129610, 90001));
        assertEquals(List.of(), misses);
    }

    /** Failure 4: a handle leak in a service restarted every 6 h, and across a restart of leakwatch. */
    @Test
    void aHandleVerdictCarriesAcrossTheServicesLivesAndLeakwatchRestarts() {
        assertEquals(List.of(), misses(SEEDS, "restart-handle-leak-6h", "exporter-restart-handle-leak"));
    }

    /** Failure 5: the flat worker that replaces a pool's leaker, and a flat process that reuses a leaker's pid. */
    @Test
    void aFlatReplacementIsNotASuspectAndAnInheritedVerdictSaysSoAndClears() {
        assertEquals(List.of(), misses(SEEDS, "pool-leaker-recycled"));
        LeakCorpus.Scenario s = scenario("pid-reused-same-cmdline");
        for (long seed : SEEDS) {
            LeakCorpus.Run run = s.run(seed);
            LeakEvaluation.Recording recording = new LeakEvaluation.Recording(run);
            LeakCorpus.Life next = run.processes().get(1).lives().get(0);
            double start = run.startSeconds() + next.start();
            List<Backtest.Change> changes = LeakEvaluation.changes(run, recording, LeakEvaluation.DEFAULTS).stream()
                    .filter(c -> Math.abs(c.startSeconds() - start) < 1).toList();
            boolean suspectAtFirst = changes.stream().anyMatch(c -> c.suspect() && c.timeSeconds() - start < HOUR);
            assertTrue(suspectAtFirst, "seed " + seed + ": the same program restarted keeps its verdict at first: " + changes);
            for (Backtest.Change c : changes) {
                if (c.suspect()) {
                    assertTrue(c.rule().contains("inherited"), "seed " + seed + ": an inherited verdict says so: " + c);
                    assertFalse(c.why().contains("rising in every quarter"), "seed " + seed + ": " + c);
                }
            }
            assertTrue(LeakEvaluation.run(run, recording, LeakEvaluation.DEFAULTS).meets(s), "seed " + seed
                    + ": cleared by its own flat data within a quarter of the window: " + changes);
        }
    }

    /** Failure 6: 8 hours without samples: the leak stays a suspect, and no text says NaN. */
    @Test
    void aGapKeepsTheVerdictAndNoTextSaysNaN() {
        assertEquals(List.of(), misses(SEEDS, "gap-8h-leak"));
        for (long seed : SEEDS) {
            LeakCorpus.Run run = scenario("gap-8h-leak").run(seed);
            for (Backtest.Change c : LeakEvaluation.changes(run, new LeakEvaluation.Recording(run), LeakEvaluation.DEFAULTS)) {
                assertFalse(c.why().contains("NaN") || c.rule().contains("NaN"), "seed " + seed + ": " + c);
                assertFalse(c.verdict().equals("levelled-off"), "seed " + seed + ": " + c);
            }
        }
    }

    /** Failure 6, the text: a rise whose latest quarter has no samples is not "levelled-off" and its reason has no NaN. */
    @Test
    void aRiseWithNoRecentSamplesIsNeitherLevelledOffNorNaN() {
        double w = LeakCorpus.DAY;
        double thr = LeakCorpus.THRESHOLD;
        FloorTrend trend = new FloorTrend(40, 1, 2 * thr, 0, 10, 3, w / 4, Double.NaN, Double.NaN, 0, w);
        ResourceVerdict v = ResourceVerdict.judge(new ResourceVerdict.Input(trend, w, true, w, thr, null, null, 100, 10, -1, 0,
                false, thr * w, null), ResourceVerdict.History.NONE, Human::bytes, Human::bytesPerDay);
        assertFalse(v.outcome() == ResourceVerdict.Outcome.LEVELLED_OFF, v.why());
        assertFalse(v.why().contains("NaN"), v.why());
    }

    /** Failure 7a: a pool's overlapping lives are covered time, not a sum of it. */
    @Test
    void theCoverageOfOverlappingLivesIsTheirUnion() {
        LeakDetector detector = new LeakDetector(LeakEvaluation.DEFAULTS, 64 * 1024 * MIB);
        Random r = new Random(5);
        double t0 = LeakCorpus.MONDAY;
        long[] pids = new long[8];
        double[] starts = new double[8];
        for (int w = 0; w < 8; w++) {
            pids[w] = 7000 + w;
            starts[w] = t0 - w * 15 * 60; // staggered, recycled every 2 h
        }
        long next = 7100;
        LeakReport report = null;
        for (double t = 0; t <= 4 * HOUR; t += 60) {
            List<ProcessSample> samples = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                if (t0 + t - starts[w] >= 2 * HOUR) {
                    pids[w] = next++;
                    starts[w] = t0 + t;
                }
                ProcessInfo info = ProcessInfo.of("worker", pids[w], 1, pids[w], "svc", "/opt/worker", starts[w]);
                samples.add(Series.sample(info, 40 * MIB + Math.abs(r.nextGaussian()) * MIB, 120));
            }
            detector.ingest(Series.snapshot(samples.toArray(ProcessSample[]::new)), t0 + t);
            report = detector.evaluate(t0 + t);
        }
        for (LeakVerdict v : report.processes()) {
            assertTrue(v.coverageSeconds() <= 4 * HOUR + 1800, v.info().pid() + " covers " + v.coverageSeconds() / 3600
                    + " h of a pool watched for 4 h: " + v.privateBytes().why());
        }
    }

    /**
     * Failure 7b: a JVM heap step ramped over 20 minutes (or 2 hours), at any time, is never a suspect, and growth that
     * stops (a cache filling for 30 hours) is cleared within a quarter of the window. This one did not fail here before
     * the change either: the report's case (cleared 18 minutes late) was not reproduced on these shapes.
     */
    @Test
    void aHeapStepRampedOverMinutesIsNeverASuspectAndStoppedGrowthClearsInTime() {
        assertEquals(List.of(), misses(SEEDS, "heap-step-ramp-20m", "heap-step-ramp-2h", "cache-fills-30h"));
    }

    /** Failure 7c: a crash loop is named as one, not only "learning". */
    @Test
    void aCrashLoopIsNamedAsOne() {
        for (long seed : SEEDS) {
            LeakCorpus.Run run = scenario("crash-loop").run(seed);
            List<Backtest.Change> changes = LeakEvaluation.changes(run, new LeakEvaluation.Recording(run), LeakEvaluation.DEFAULTS);
            Backtest.Change last = changes.get(changes.size() - 1);
            assertTrue(last.why().contains("times in the last"), "seed " + seed + ": " + last);
            assertFalse(changes.stream().anyMatch(Backtest.Change::suspect), "seed " + seed);
        }
    }
}
