package io.leakwatch.leak;

import io.leakwatch.config.LeakSettings;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stated bounds: at most 48 buckets and under 2 KiB per process, a global cap, exited processes dropped. */
class LeakMemoryBoundTest {

    @Test
    void aHistoryNeverGrowsPastItsBucketsHoweverLongItRuns() {
        LeakSettings settings = Series.settings(3600, 1);
        FloorHistory history = new FloorHistory(settings.bucketSeconds(), LeakSettings.BUCKETS);
        long before = history.approximateBytes();
        // 30 days of one sample per second: 2.6 million samples
        for (int s = 0; s < 30 * 86400; s++) {
            history.add(T0 + s, 100 * MIB + s, 10 + s % 7);
        }
        assertEquals(before, history.approximateBytes());
        assertTrue(history.approximateBytes() <= 2048, "per-process bound: " + history.approximateBytes());
        FloorHistory.Buckets b = history.buckets();
        assertEquals(LeakSettings.BUCKETS, b.ids().length);
        assertEquals(3600, history.coverageSeconds(), settings.bucketSeconds(), "coverage is capped at the window");
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
        assertTrue(LeakDetector.MAX_PROCESSES * new FloorHistory(1800, LeakSettings.BUCKETS).approximateBytes() <= 10L * 1024 * 1024);
    }

    @Test
    void exitedProcessesAreDroppedAfterTheirLastVerdictAndSuspectsAreRemembered() {
        LeakDetector detector = new LeakDetector(Series.settings(3600, 10), 64 * 1024 * MIB);
        ProcessInfo leaker = Series.info("leaker", 10, T0 - 100);
        ProcessInfo quiet = Series.info("quiet", 11, T0 - 100);
        for (int t = 0; t <= 3600; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(leaker, 10 * MIB + 10_000.0 * t, 5), Series.sample(quiet, 10 * MIB, 5)),
                    T0 + t);
        }
        assertEquals(1, detector.evaluate(T0 + 3600).suspects().size());
        // both exit
        detector.ingest(Series.snapshot(), T0 + 3610);
        assertEquals(0, detector.trackedCount());
        LeakReport report = detector.evaluate(T0 + 3610);
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
        assertTrue(back.coverageSeconds() >= 600, "history kept: " + back.coverageSeconds());
        // gone for good: dropped after the allowed misses even while others keep vanishing
        for (int i = 1; i <= LeakDetector.MISSES_BEFORE_EXIT_WHEN_SKIPPING; i++) {
            detector.ingest(new io.leakwatch.model.ProcessSnapshot(List.of(), 1, 0), T0 + 620 + 10 * i);
        }
        assertEquals(0, detector.trackedCount());
    }
}
