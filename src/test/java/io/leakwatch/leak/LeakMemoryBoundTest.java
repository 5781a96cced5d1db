package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stated bounds: 49 buckets (and 26 coarse ones) and under 2 KiB per process, a global cap, past lives capped
 * per service (in buckets and in lives), in all and in services, exited processes dropped.
 */
class LeakMemoryBoundTest {

    @Test
    void aHistoryNeverGrowsPastItsBucketsHoweverLongItRuns() {
        LeakSettings settings = Series.settings(3600, 1);
        FloorHistory history = new FloorHistory(settings.bucketSeconds());
        long before = history.approximateBytes();
        // 30 days of one sample per second: 2.6 million samples
        for (int s = 0; s < 30 * 86400; s++) {
            history.add(T0 + s, 100 * MIB + s, 10 + s % 7);
        }
        assertEquals(before, history.approximateBytes());
        assertTrue(history.approximateBytes() <= 2048, "per-process bound: " + history.approximateBytes());
        assertEquals(LeakSettings.BUCKETS + 1, history.all().ids().length, "the window's buckets and the one filling");
        FloorHistory.Buckets b = history.complete(T0 + 30 * 86400);
        assertEquals(LeakSettings.BUCKETS, b.ids().length, "judged: the window's complete buckets");
        // the floors are the minimum of each bucket: the first sample of it, since the series only rises
        long lastId = b.ids()[b.ids().length - 1];
        assertEquals(100 * MIB + (lastId * settings.bucketSeconds() - T0), b.privateFloors()[b.ids().length - 1], 1.0);
        assertEquals(10, b.handleFloors()[0]);
    }

    @Test
    void theGlobalCapLeavesNewProcessesOutAndSaysHowMany() {
        LeakDetector detector = new LeakDetector(Series.defaults(), 64 * 1024 * MIB, 50);
        List<ProcessSample> samples = new ArrayList<>();
        for (int pid = 1; pid <= 60; pid++) {
            samples.add(Series.sample(Series.info("p" + pid, pid, T0 - pid), 10 * MIB, 5));
        }
        for (int i = 0; i < 100; i++) {
            detector.ingest(Series.snapshot(samples.toArray(ProcessSample[]::new)), T0 + 60 * i);
        }
        assertEquals(50, detector.trackedCount());
        LeakReport report = detector.evaluate(T0 + 6000);
        assertEquals(50, report.processes().size());
        assertEquals(10, report.untrackedProcesses());
        assertTrue(detector.approximateHistoryBytes() <= 50 * 2048L);
    }

    @Test
    void theDefaultCapBoundsAllHistoriesToTenMiB() {
        assertTrue(LeakDetector.MAX_PROCESSES * new FloorHistory(1800).approximateBytes() <= 10L * 1024 * 1024);
    }

    @Test
    void pastLivesAreCappedPerServiceAndInServicesHoweverManyRestarts() {
        LeakDetector detector = new LeakDetector(Series.settings(3600, 10), 64 * 1024 * MIB);
        // 400 services (more than the cap), each restarted 12 times (more than the cap per service); lives of 5 buckets
        double lifeSeconds = 5 * 75 + 20;
        int pid = 1;
        for (int life = 0; life < 12; life++) {
            List<ProcessInfo> infos = new ArrayList<>();
            for (int svc = 0; svc < 400; svc++) {
                infos.add(ProcessInfo.of("svc" + svc, pid++, 1, 1, "root", "/usr/bin/svc" + svc, T0 + life * lifeSeconds));
            }
            for (double t = 0; t < lifeSeconds; t += 10) {
                List<ProcessSample> samples = new ArrayList<>();
                for (ProcessInfo info : infos) {
                    samples.add(Series.sample(info, 10 * MIB + t * 1000, 5));
                }
                detector.ingest(Series.snapshot(samples.toArray(ProcessSample[]::new)), T0 + life * lifeSeconds + t);
            }
        }
        detector.ingest(Series.snapshot(), T0 + 12 * lifeSeconds);
        assertEquals(0, detector.trackedCount());
        assertTrue(detector.pastLifeCount() <= PastLives.MAX_LIVES, "lives: " + detector.pastLifeCount());
        assertTrue(detector.pastLifeCount() >= PastLives.MAX_SERVICES, "lives are kept: " + detector.pastLifeCount());
        assertTrue(detector.approximateHistoryBytes() <= pastLivesBound(), "bytes: " + detector.approximateHistoryBytes());
    }

    /** The most the past lives can hold: every service's bucket budget, and every life's fixed part. */
    static long pastLivesBound() {
        long perLifeFixed = new PastLives.Life(1, "x".repeat(64), 0, 0, 0, FloorHistory.Buckets.EMPTY, false, false).approximateBytes();
        long perService = 96 + 48L * PastLives.MAX_ENDINGS + 112;
        return (long) PastLives.MAX_SERVICES * (perService + 3L * 8 * PastLives.MAX_BUCKETS_PER_SERVICE)
                + (long) PastLives.MAX_LIVES * perLifeFixed;
    }

    @Test
    void oneServiceKeepsItsLastLivesWithinItsBucketBudget() {
        LeakDetector detector = new LeakDetector(Series.settings(3600, 10), 64 * 1024 * MIB);
        // a pool of 20 workers of one program (the pid file name is volatile), each replaced after 5 buckets, for a window
        double lifeSeconds = 5 * 75 + 20;
        int workers = 20;
        int pid = 100;
        for (int life = 0; life * lifeSeconds < 3600; life++) {
            List<ProcessInfo> infos = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                infos.add(ProcessInfo.of("svc", pid++, 1, 1, "root", "/usr/bin/svc --pid-file /run/svc." + (70000 + pid),
                        T0 + life * lifeSeconds));
            }
            for (double t = 0; t < lifeSeconds; t += 10) {
                List<ProcessSample> samples = new ArrayList<>();
                for (ProcessInfo info : infos) {
                    samples.add(Series.sample(info, 10 * MIB + t * 1000, 5));
                }
                detector.ingest(Series.snapshot(samples.toArray(ProcessSample[]::new)), T0 + life * lifeSeconds + t);
            }
        }
        detector.ingest(Series.snapshot(), T0 + 3600);
        // lives of 4 to 6 buckets, as many as its budget holds: far more than 8, so a pool of short-lived workers
        // still covers a window
        int lives = detector.pastLifeCount();
        assertTrue(lives >= PastLives.MAX_BUCKETS_PER_SERVICE / 6 && lives <= PastLives.MAX_BUCKETS_PER_SERVICE / 4
                && lives <= PastLives.MAX_LIVES_PER_SERVICE, "lives kept: " + lives);
    }

    @Test
    void theDefaultCapsBoundPastLivesToFourMiB() {
        assertTrue(pastLivesBound() <= 4L * 1024 * 1024, "bound: " + pastLivesBound());
    }

    @Test
    void exitedProcessesAreDroppedAfterTheirLastVerdictAndSuspectsAreRemembered() {
        LeakDetector detector = new LeakDetector(Series.settings(3600, 10), 64 * 1024 * MIB);
        ProcessInfo leaker = Series.info("leaker", 10, T0 - 100);
        ProcessInfo quiet = Series.info("quiet", 11, T0 - 100);
        for (int t = 0; t <= 5400; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(leaker, 10 * MIB + 10_000.0 * t, 5), Series.sample(quiet, 10 * MIB, 5)),
                    T0 + t);
            detector.evaluate(T0 + t);
        }
        assertEquals(1, detector.evaluate(T0 + 5400).suspects().size());
        // both exit
        detector.ingest(Series.snapshot(), T0 + 5410);
        assertEquals(0, detector.trackedCount());
        LeakReport report = detector.evaluate(T0 + 5410);
        assertTrue(report.processes().isEmpty(), "no series for dead processes");
        assertEquals(1, report.exitedSuspects().size());
        assertEquals("leaker", report.exitedSuspects().get(0).info().name());
    }

    @Test
    void aProcessMissingFromACollectionThatSkippedSomeKeepsItsHistoryForAWhile() {
        LeakDetector detector = new LeakDetector(Series.settings(3600, 10), 64 * 1024 * MIB);
        ProcessInfo p = Series.info("svc", 10, T0 - 100);
        for (int t = 0; t <= 600; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(p, 10 * MIB, 5)), T0 + t);
        }
        // its read failed once (counted as vanished): still tracked, not reported
        detector.ingest(new io.leakwatch.model.ProcessSnapshot(List.of(), 1, 0), T0 + 610);
        assertEquals(1, detector.trackedCount());
        assertTrue(detector.evaluate(T0 + 610).processes().isEmpty(), "no stale metrics while unseen");
        detector.ingest(Series.snapshot(Series.sample(p, 10 * MIB, 5)), T0 + 620);
        LeakVerdict back = detector.evaluate(T0 + 620).processes().get(0);
        assertTrue(back.coverageSeconds() >= 600 - 75, "history kept (complete buckets): " + back.coverageSeconds());
        // gone for good: dropped after the allowed misses even while others keep vanishing
        for (int i = 1; i <= LeakDetector.MISSES_BEFORE_EXIT_WHEN_SKIPPING; i++) {
            detector.ingest(new io.leakwatch.model.ProcessSnapshot(List.of(), 1, 0), T0 + 620 + 10 * i);
        }
        assertEquals(0, detector.trackedCount());
    }
}
